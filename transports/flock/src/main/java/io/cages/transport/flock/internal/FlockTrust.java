package io.cages.transport.flock.internal;

import io.cages.transport.rpc.HostCredentials;
import io.cages.transport.flock.FlockCredentials;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Who belongs to a flock: a certificate chain that leads to one of the flock's CA certificates and whose subject
 * names the flock ({@code O=<flock name>}). One CA may sign the hosts of several flocks; the name keeps them apart.
 * Also this host's own key and chain, to prove the same to the others.
 */
final class FlockTrust {

    private final String flock;
    private final PrivateKey key;
    private final List<X509Certificate> chain;
    private final Set<TrustAnchor> anchors;
    private final FlockCredentials credentials;

    private FlockTrust(String flock, PrivateKey key, List<X509Certificate> chain, Set<TrustAnchor> anchors, FlockCredentials credentials) {
        this.flock = flock;
        this.key = key;
        this.chain = chain;
        this.anchors = anchors;
        this.credentials = credentials;
    }

    static FlockTrust of(String flock, FlockCredentials credentials) throws GeneralSecurityException {
        KeyStore ks = credentials.keyStore();
        String alias = FlockCredentials.keyAlias(ks);
        PrivateKey key = (PrivateKey) ks.getKey(alias, credentials.keyPassword());
        List<X509Certificate> chain = new ArrayList<>();
        for (Certificate c : ks.getCertificateChain(alias)) {
            chain.add((X509Certificate) c);
        }
        Set<TrustAnchor> anchors = new HashSet<>();
        KeyStore ts = credentials.trustStore();
        for (String a : Collections.list(ts.aliases())) {
            if (ts.getCertificate(a) instanceof X509Certificate ca) {
                anchors.add(new TrustAnchor(ca, null));
            }
        }
        if (anchors.isEmpty()) {
            throw new GeneralSecurityException("the flock trust store holds no X.509 CA certificate");
        }
        return new FlockTrust(flock, key, List.copyOf(chain), Set.copyOf(anchors), credentials);
    }

    String flock() {
        return flock;
    }

    PrivateKey key() {
        return key;
    }

    List<X509Certificate> chain() {
        return chain;
    }

    /** TLS 1.3 with this host's key, trusting only the flock CA; for the group key exchange. */
    SSLContext sslContext() throws GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(credentials.keyStore(), credentials.keyPassword());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(credentials.trustStore());
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }

    /** Why {@code peer} (leaf first) is not a member of this flock, or null when it is. */
    String refusal(List<X509Certificate> peer) {
        if (peer.isEmpty()) {
            return "no certificate";
        }
        try {
            PKIXParameters params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false); // the flock CA publishes no CRL; rotation replaces certificates
            List<X509Certificate> path = peer;
            if (isAnchor(path.get(path.size() - 1))) {
                path = path.subList(0, path.size() - 1); // a path excludes its trust anchor
            }
            if (path.isEmpty()) {
                return "presents the flock CA certificate itself, not a host certificate";
            }
            CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
        } catch (CertPathValidatorException e) {
            return "certificate " + peer.get(0).getSubjectX500Principal().getName() + " is not issued by this flock's CA ("
                    + e.getMessage() + ")";
        } catch (GeneralSecurityException e) {
            return "certificate chain not checkable: " + e.getMessage();
        }
        String named = HostCredentials.flockOf(peer.get(0));
        if (!flock.equals(named)) {
            return "certificate " + peer.get(0).getSubjectX500Principal().getName() + " names flock '" + named
                    + "', not '" + flock + "'";
        }
        return null;
    }

    private boolean isAnchor(X509Certificate c) {
        return anchors.stream().anyMatch(a -> a.getTrustedCert().equals(c));
    }
}
