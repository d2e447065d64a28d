package io.cages.transport.flock;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Secure by default (issue 16): a flock that other machines can reach runs mutual TLS, or says out loud that it
 * does not. Without a {@code tls} section, a flock's membership (JGroups) and RPC listener are plain: whoever
 * reaches them can join the flock, read its directory and call its cages. So a flock whose listeners bind beyond
 * loopback refuses to start without one, unless {@code "insecure": true} opts out (then a WARN says so at every
 * start). The same spirit as the admin listener, which beyond loopback refuses to start without a token.
 *
 * <p>Both listeners bind to {@code transports.flock.bind}. Without it, RPC binds to every interface (0.0.0.0) and
 * JGroups to the host's first non-loopback interface: beyond loopback either way. Loopback-only flocks (tests,
 * the flock demo) need neither certificates nor the opt-out.
 */
final class PlaintextFlockRule {

    private static final Logger LOG = LoggerFactory.getLogger(PlaintextFlockRule.class);

    private PlaintextFlockRule() {
    }

    /**
     * Checks {@code settings} of host {@code host} before anything binds.
     *
     * @param tls whether host.json has a {@code tls} section
     * @throws IllegalStateException when the flock would be plain beyond loopback without the opt-out, when the
     *                               opt-out contradicts a {@code tls} section, or when the bind address does not
     *                               resolve; the message says what to do
     */
    static void check(FlockSettings settings, boolean tls, String host) {
        if (settings.insecure() && tls) {
            throw new IllegalStateException("transports.flock.insecure is true but host.json has a \"tls\" section: the flock"
                    + " runs mutual TLS with it, so the opt-out says the opposite of what happens. Remove \"insecure\"");
        }
        if (tls || bindsToLoopbackOnly(settings.bind())) {
            return;
        }
        String where = where(settings.bind());
        if (settings.insecure()) {
            LOG.warn("flock '{}' is INSECURE (\"insecure\": true in transports.flock): host {} binds its membership and RPC {}"
                    + " in plain TCP, without TLS: anyone on the LAN who reaches them can join the flock, read its directory"
                    + " and call its cages. Give the hosts certificates (cagectl ca) and a \"tls\" section", settings.name(), host, where);
            return;
        }
        throw new IllegalStateException("flock '" + settings.name() + "' would bind its membership and RPC " + where
                + ", beyond loopback, without a \"tls\" section in host.json: anyone who reaches them could join the flock,"
                + " read its directory and call its cages. Give each host a certificate of the flock's CA: once,"
                + " `cagectl ca init --flock " + settings.name() + " --out ca/`; per host, `cagectl ca issue --ca ca/ --host "
                + host + " --out <folder of host.json>` and \"tls\": {\"ca\": \"flock-ca.pem\", \"cert\": \"host.pem\", \"key\": \"host.key\"}"
                + " in host.json. Or bind the flock to loopback (\"bind\": \"127.0.0.1\" in transports.flock), or, on a network"
                + " you trust entirely, opt out with \"insecure\": true in transports.flock");
    }

    /** True when every listener of the flock binds to a loopback address. */
    static boolean bindsToLoopbackOnly(String bind) {
        if (bind == null) {
            return false; // RPC on 0.0.0.0, JGroups on the first non-loopback interface
        }
        try {
            return InetAddress.getByName(bind).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException("transports.flock.bind '" + bind + "' is neither an address nor a name that resolves"
                    + " (give an address of this host, e.g. \"10.0.0.5\")", e);
        }
    }

    private static String where(String bind) {
        return bind == null ? "to 0.0.0.0 (no transports.flock.bind is set: RPC listens on every interface, membership on the"
                + " first non-loopback one)" : "to " + bind;
    }
}
