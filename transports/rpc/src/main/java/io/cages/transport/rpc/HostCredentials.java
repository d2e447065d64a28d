package io.cages.transport.rpc;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import javax.security.auth.x500.X500Principal;

/**
 * One host's credentials in its flock, read from three PEM files and checked: the flock's CA bundle (one or more
 * CA certificates: the old and the new one side by side during a rotation), the host's certificate and its
 * private key (PKCS#8, unencrypted). Immutable; {@link RpcTls} re-reads the files when they change.
 *
 * <p>Identity: a host certificate names its host and its flock in its subject, {@code CN=<host name>,
 * O=<flock name>} (what {@code cagectl ca issue} writes). A peer is accepted when its certificate chains to a
 * CA of the bundle and its {@code O} is this host's flock; its {@code CN} is its host name.
 *
 * <p>Every problem is an {@link IllegalArgumentException} naming the file: missing or unreadable, not PEM, a
 * key that does not belong to the certificate, a certificate no CA of the bundle signed, expired, or naming
 * another host or flock.
 *
 * <p>For other transports (the flock's membership): {@link #keyManagerFactory()}, {@link #trustManagerFactory()}
 * and the key stores behind them; those factories check the chain only, {@link #checkPeer} adds the flock rule.
 */
public final class HostCredentials {

    /** The password of the in-memory key store of {@link #keyStore()} (it never leaves this JVM). */
    public static final char[] KEY_STORE_PASSWORD = "cages".toCharArray();
    static final String KEY_ALIAS = "host";

    private final String hostName;
    private final String flockName;
    private final List<X509Certificate> authorities;
    private final X509Certificate certificate;
    private final PrivateKey key;

    private HostCredentials(String hostName, String flockName, List<X509Certificate> authorities,
                            X509Certificate certificate, PrivateKey key) {
        this.hostName = hostName;
        this.flockName = flockName;
        this.authorities = List.copyOf(authorities);
        this.certificate = certificate;
        this.key = key;
    }

    /**
     * Reads and checks the three files for host {@code hostName} of flock {@code flockName}.
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it
     */
    public static HostCredentials load(Path ca, Path cert, Path key, String hostName, String flockName) {
        Objects.requireNonNull(hostName, "hostName");
        Objects.requireNonNull(flockName, "flockName");
        List<X509Certificate> authorities = certificates(ca, "CA bundle");
        List<X509Certificate> chain = certificates(cert, "host certificate");
        X509Certificate certificate = chain.get(0);
        PrivateKey privateKey = privateKey(key);
        if (!belongsTo(privateKey, certificate)) {
            throw new IllegalArgumentException("tls key " + key + ": not the private key of the certificate in " + cert);
        }
        try {
            certificate.checkValidity();
        } catch (CertificateException e) {
            throw new IllegalArgumentException("tls cert " + cert + ": not valid now (" + e.getMessage() + "; valid "
                    + certificate.getNotBefore() + " to " + certificate.getNotAfter() + ")");
        }
        if (issuerOf(certificate, authorities) == null) {
            throw new IllegalArgumentException("tls cert " + cert + ": issued by '" + certificate.getIssuerX500Principal().getName()
                    + "', which no CA certificate in " + ca + " signed (the bundle has: " + subjects(authorities) + ")");
        }
        String certHost = hostOf(certificate);
        String certFlock = flockOf(certificate);
        if (!hostName.equals(certHost) || !flockName.equals(certFlock)) {
            throw new IllegalArgumentException("tls cert " + cert + ": names host '" + certHost + "' of flock '" + certFlock
                    + "' (subject " + certificate.getSubjectX500Principal().getName() + "), but this is host '" + hostName
                    + "' of flock '" + flockName + "' (the subject must be CN=" + hostName + ",O=" + flockName + ")");
        }
        return new HostCredentials(hostName, flockName, authorities, certificate, privateKey);
    }

    public String hostName() {
        return hostName;
    }

    public String flockName() {
        return flockName;
    }

    /** This host's certificate. */
    public X509Certificate certificate() {
        return certificate;
    }

    /** The CA certificates trusted (the bundle). */
    public List<X509Certificate> authorities() {
        return authorities;
    }

    /** A key store holding this host's key and certificate under alias {@code host}, password {@link #KEY_STORE_PASSWORD}. */
    public KeyStore keyStore() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(KEY_ALIAS, key, KEY_STORE_PASSWORD, new X509Certificate[] {certificate});
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the key store of host '" + hostName + "': " + e, e);
        }
    }

    /** A key store holding the bundle's CA certificates as trusted entries. */
    public KeyStore trustStore() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < authorities.size(); i++) {
                store.setCertificateEntry("ca-" + i, authorities.get(i));
            }
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the trust store of host '" + hostName + "': " + e, e);
        }
    }

    public KeyManagerFactory keyManagerFactory() {
        try {
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(keyStore(), KEY_STORE_PASSWORD);
            return factory;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the key managers of host '" + hostName + "': " + e, e);
        }
    }

    /** Trusts certificates chaining to a CA of the bundle (PKIX); the flock rule is {@link #checkPeer}. */
    public TrustManagerFactory trustManagerFactory() {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trustStore());
            return factory;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the trust managers of host '" + hostName + "': " + e, e);
        }
    }

    /**
     * The flock rule on a peer certificate whose chain is already trusted: it names this flock and a host.
     *
     * @return the peer's host name
     * @throws CertificateException saying what the certificate names instead
     */
    public String checkPeer(X509Certificate peer) throws CertificateException {
        String flock = flockOf(peer);
        if (!flockName.equals(flock)) {
            throw new CertificateException("the certificate of '" + peer.getSubjectX500Principal().getName()
                    + "' is for flock '" + flock + "', not '" + flockName + "'");
        }
        String host = hostOf(peer);
        if (host == null || host.isBlank()) {
            throw new CertificateException("the certificate of '" + peer.getSubjectX500Principal().getName() + "' names no host (CN)");
        }
        return host;
    }

    /**
     * Whether a peer's chain (leaf first), accepted once, is still accepted by these credentials: it leads to a CA
     * of this bundle and names this flock. What a server asks of the connections it holds after a CA rotation.
     */
    public boolean trusts(List<X509Certificate> chain) {
        if (chain.isEmpty()) {
            return false;
        }
        try {
            Set<TrustAnchor> anchors = new HashSet<>();
            authorities.forEach(ca -> anchors.add(new TrustAnchor(ca, null)));
            PKIXParameters params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false); // the flock CA publishes no CRL; rotation replaces certificates
            List<X509Certificate> path = chain;
            if (authorities.contains(path.get(path.size() - 1))) {
                path = path.subList(0, path.size() - 1); // a path excludes its trust anchor
            }
            if (path.isEmpty()) {
                return false;
            }
            CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
            checkPeer(chain.get(0));
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** The host a certificate names (its subject's CN), or null. */
    public static String hostOf(X509Certificate certificate) {
        return attribute(certificate.getSubjectX500Principal(), "CN");
    }

    /** The flock a certificate names (its subject's O), or null. */
    public static String flockOf(X509Certificate certificate) {
        return attribute(certificate.getSubjectX500Principal(), "O");
    }

    private static String attribute(X500Principal principal, String type) {
        try {
            for (Rdn rdn : new LdapName(principal.getName(X500Principal.RFC2253)).getRdns()) {
                if (rdn.getType().equalsIgnoreCase(type)) {
                    return rdn.getValue().toString();
                }
            }
            return null;
        } catch (InvalidNameException e) {
            return null;
        }
    }

    private static X509Certificate issuerOf(X509Certificate certificate, List<X509Certificate> authorities) {
        for (X509Certificate ca : authorities) {
            if (!ca.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())) {
                continue;
            }
            try {
                certificate.verify(ca.getPublicKey());
                return ca;
            } catch (GeneralSecurityException e) {
                // same name, another key (e.g. an old CA of the same name): try the next one
            }
        }
        return null;
    }

    private static String subjects(List<X509Certificate> certificates) {
        List<String> names = new ArrayList<>();
        certificates.forEach(c -> names.add("'" + c.getSubjectX500Principal().getName() + "'"));
        return String.join(", ", names);
    }

    private static byte[] read(Path file, String what) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("tls " + what + " " + file + ": no such file");
        } catch (IOException | SecurityException e) {
            throw new IllegalArgumentException("tls " + what + " " + file + ": cannot be read: " + e.getMessage());
        }
    }

    private static List<X509Certificate> certificates(Path file, String what) {
        byte[] pem = read(file, what);
        List<X509Certificate> out = new ArrayList<>();
        try {
            if (!new String(pem, StandardCharsets.US_ASCII).contains("-----BEGIN CERTIFICATE-----")) {
                throw new CertificateException("no PEM certificate (-----BEGIN CERTIFICATE-----) in it");
            }
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem))) {
                out.add((X509Certificate) c);
            }
        } catch (CertificateException e) {
            throw new IllegalArgumentException("tls " + what + " " + file + ": not a readable PEM certificate: " + e.getMessage());
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("tls " + what + " " + file + ": holds no certificate");
        }
        return out;
    }

    private static PrivateKey privateKey(Path file) {
        String pem = new String(read(file, "key"), StandardCharsets.US_ASCII);
        String begin = "-----BEGIN PRIVATE KEY-----";
        String end = "-----END PRIVATE KEY-----";
        int from = pem.indexOf(begin);
        int to = pem.indexOf(end);
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("tls key " + file + ": not a PEM PKCS#8 private key (" + begin
                    + "; convert with: openssl pkcs8 -topk8 -nocrypt)");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tls key " + file + ": the PEM body is not base64: " + e.getMessage());
        }
        for (String algorithm : new String[] {"EC", "RSA", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // not this algorithm: try the next
            }
        }
        throw new IllegalArgumentException("tls key " + file + ": not an EC, RSA or Ed25519 PKCS#8 private key");
    }

    /** Whether {@code key} signs what the certificate's public key verifies. */
    private static boolean belongsTo(PrivateKey key, X509Certificate certificate) {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> key.getAlgorithm(); // Ed25519, EdDSA
        };
        try {
            byte[] probe = "cages-key-check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // e.g. an RSA key with an EC certificate
        }
    }

    @Override
    public String toString() {
        return "credentials of host '" + hostName + "' in flock '" + flockName + "' (certificate serial "
                + certificate.getSerialNumber().toString(16) + ", " + authorities.size() + " CA(s))";
    }
}
