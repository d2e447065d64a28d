package io.cages.transport.flock.internal;

import org.jgroups.Address;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.AUTH;

/**
 * JGroups' AUTH with {@link FlockJoinToken}, that also logs (once per host every few seconds) a JOIN or MERGE
 * request refused for carrying no token at all: a host running the open stack. Same protocol id as AUTH, so on
 * the wire it is AUTH. (JGroups' own warning for each refused attempt is logged under this class's name.)
 */
final class FlockAuth extends AUTH {

    private static final Refusals REFUSALS = new Refusals();

    private final String flock;

    FlockAuth(FlockTrust trust) {
        this.flock = trust.flock();
        setId(ClassConfigurator.getProtocolId(AUTH.class));
        FlockJoinToken token = new FlockJoinToken(trust);
        token.setAuth(this);
        setAuthToken(token);
    }

    @Override
    protected void sendRejectionMessage(byte type, Address dest, String error_msg) {
        if (!"authentication failed".equals(error_msg)) { // that one the token logged, with its reason
            REFUSALS.refused(String.valueOf(dest), flock, error_msg + " (a host without flock credentials?)");
        }
        super.sendRejectionMessage(type, dest, error_msg);
    }
}
