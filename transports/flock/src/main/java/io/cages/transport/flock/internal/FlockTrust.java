package io.cages.transport.flock.internal;

import io.cages.transport.rpc.HostCredentials;
import io.cages.transport.flock.FlockCredentials;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Who belongs to a flock: a certificate chain that leads to one of the flock's CA certificates and whose subject
 * names the flock ({@code O=<flock name>}). One CA may sign the hosts of several flocks; the name keeps them apart.
 * Also this host's own key and chain, to prove the same to the others.
 */
final class FlockTrust {

    /** One set of credentials, replaced whole by {@link #update}. */
    private record Keys(PrivateKey key, List<X509Certificate> chain, Set<TrustAnchor> anchors, X509ExtendedKeyManager keyManager,
                        X509ExtendedTrustManager trustManager) {
    }

    private final String flock;
    // CONCURRENCY: replaced by update() (the RPC credentials watcher), read by JGroups threads per join and handshake.
    private volatile Keys keys;
    /** The contexts handed to the key exchange, whose cached sessions {@link #update} ends. */
    private final List<SSLContext> contexts = new CopyOnWriteArrayList<>();

    private FlockTrust(String flock, Keys keys) {
        this.flock = flock;
        this.keys = keys;
    }

    static FlockTrust of(String flock, FlockCredentials credentials) throws GeneralSecurityException {
        return new FlockTrust(flock, keys(credentials));
    }

    /**
     * From now on proves membership with, and admits members by, {@code credentials}: a certificate or CA bundle
     * rotated on disk reaches the membership as it reaches RPC, without a restart. Members already in stay in.
     */
    void update(FlockCredentials credentials) throws GeneralSecurityException {
        keys = keys(credentials);
        // A resumed TLS session skips the certificates: the next key exchange must show the ones in use now.
        for (SSLContext context : contexts) {
            for (SSLSessionContext sessions : List.of(context.getClientSessionContext(), context.getServerSessionContext())) {
                for (byte[] id : Collections.list(sessions.getIds())) {
                    SSLSession session = sessions.getSession(id);
                    if (session != null) {
                        session.invalidate();
                    }
                }
            }
        }
    }

    private static Keys keys(FlockCredentials credentials) throws GeneralSecurityException {
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
        return new Keys(key, List.copyOf(chain), Set.copyOf(anchors), keyManager(credentials), trustManager(credentials));
    }

    String flock() {
        return flock;
    }

    PrivateKey key() {
        return keys.key();
    }

    List<X509Certificate> chain() {
        return keys.chain();
    }

    /**
     * TLS 1.3 with this host's key, trusting only the flock CA; for the group key exchange. Its key and trust
     * managers ask for the credentials in use at each handshake, so the one context follows {@link #update}.
     */
    SSLContext sslContext() throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(new KeyManager[] {new CurrentKeyManager()}, new TrustManager[] {new CurrentTrustManager()}, null);
        contexts.add(context);
        return context;
    }

    private X509ExtendedKeyManager keyManager() {
        return keys.keyManager();
    }

    private X509ExtendedTrustManager trustManager() {
        return keys.trustManager();
    }

    private static X509ExtendedKeyManager keyManager(FlockCredentials credentials) throws GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(credentials.keyStore(), credentials.keyPassword());
        for (KeyManager m : kmf.getKeyManagers()) {
            if (m instanceof X509ExtendedKeyManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("the JDK has no X509ExtendedKeyManager");
    }

    private static X509ExtendedTrustManager trustManager(FlockCredentials credentials) throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(credentials.trustStore());
        for (TrustManager m : tmf.getTrustManagers()) {
            if (m instanceof X509ExtendedTrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("the JDK has no X509ExtendedTrustManager");
    }

    /** This host's key and certificate as they are at each handshake. */
    private final class CurrentKeyManager extends X509ExtendedKeyManager {
        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return keyManager().getClientAliases(keyType, issuers);
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return keyManager().chooseClientAlias(keyType, issuers, socket);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return keyManager().getServerAliases(keyType, issuers);
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return keyManager().chooseServerAlias(keyType, issuers, socket);
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return keyManager().chooseEngineClientAlias(keyType, issuers, engine);
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return keyManager().chooseEngineServerAlias(keyType, issuers, engine);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return keyManager().getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return keyManager().getPrivateKey(alias);
        }
    }

    /** The flock CA bundle as it is at each handshake. */
    private final class CurrentTrustManager extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            trustManager().checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            trustManager().checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            trustManager().checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            trustManager().checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            trustManager().checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            trustManager().checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return trustManager().getAcceptedIssuers();
        }
    }

    /** Why {@code peer} (leaf first) is not a member of this flock, or null when it is. */
    String refusal(List<X509Certificate> peer) {
        if (peer.isEmpty()) {
            return "no certificate";
        }
        Set<TrustAnchor> anchors = keys.anchors();
        try {
            PKIXParameters params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false); // the flock CA publishes no CRL; rotation replaces certificates
            List<X509Certificate> path = peer;
            if (isAnchor(anchors, path.get(path.size() - 1))) {
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

    private static boolean isAnchor(Set<TrustAnchor> anchors, X509Certificate c) {
        return anchors.stream().anyMatch(a -> a.getTrustedCert().equals(c));
    }
}
