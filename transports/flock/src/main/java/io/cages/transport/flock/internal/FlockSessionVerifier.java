package io.cages.transport.flock.internal;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.jgroups.protocols.SSL_KEY_EXCHANGE;

/**
 * The group key goes only to a member of this flock, and is taken only from one: the TLS handshake already
 * required a chain from the flock CA (one CA may sign several flocks), this also requires the flock's name.
 */
final class FlockSessionVerifier implements SSL_KEY_EXCHANGE.SessionVerifier {

    private static final Refusals REFUSALS = new Refusals();

    private final FlockTrust trust;

    FlockSessionVerifier(FlockTrust trust) {
        this.trust = trust;
    }

    @Override
    public void init(String arg) {
    }

    @Override
    public void verify(SSLSession session) throws SecurityException {
        List<X509Certificate> chain = new ArrayList<>();
        try {
            for (Certificate c : session.getPeerCertificates()) {
                chain.add((X509Certificate) c);
            }
        } catch (SSLPeerUnverifiedException e) {
            chain.clear();
        }
        String refusal = trust.refusal(chain);
        if (refusal != null) {
            REFUSALS.refused("the group key exchange with " + session.getPeerHost(), trust.flock(), refusal);
            throw new SecurityException(refusal);
        }
    }
}
