package io.cages.transport.rpc.internal;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** CAs and host certificates for the mutual TLS tests (here and the flock's), as cagectl makes them (EC P-256, CN=host, O=flock). */
public final class TestPki {

    private static final SecureRandom RANDOM = new SecureRandom();

    public record Issued(PrivateKey key, X509Certificate cert) {
    }

    private TestPki() {
    }

    public static Issued ca(String flock) throws Exception {
        KeyPair keys = keys();
        X500Name name = name(flock + " flock CA", flock);
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), Date.from(Instant.now().minusSeconds(60)),
                Date.from(Instant.now().plusSeconds(86_400)), name, keys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        return new Issued(keys.getPrivate(), sign(b, keys.getPrivate()));
    }

    /** A host certificate naming {@code host} of {@code flock}, signed by {@code ca}. */
    public static Issued host(Issued ca, String host, String flock) throws Exception {
        KeyPair keys = keys();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca.cert(), serial(), Date.from(Instant.now().minusSeconds(60)),
                Date.from(Instant.now().plusSeconds(86_400)), name(host, flock), keys.getPublic());
        hostExtensions(b);
        return new Issued(keys.getPrivate(), sign(b, ca.key()));
    }

    /** A host certificate that signs itself: no CA vouches for it. */
    public static Issued selfSigned(String host, String flock) throws Exception {
        KeyPair keys = keys();
        X500Name name = name(host, flock);
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), Date.from(Instant.now().minusSeconds(60)),
                Date.from(Instant.now().plusSeconds(86_400)), name, keys.getPublic());
        hostExtensions(b);
        return new Issued(keys.getPrivate(), sign(b, keys.getPrivate()));
    }

    /** Writes host.pem, host.key and flock-ca.pem (the bundle of {@code cas}) into {@code dir}. */
    public static void write(Path dir, Issued host, Issued... cas) throws Exception {
        Files.createDirectories(dir);
        writeHost(dir, host);
        writeBundle(dir, cas);
    }

    public static void writeHost(Path dir, Issued host) throws Exception {
        replace(dir.resolve("host.pem"), pem("CERTIFICATE", host.cert().getEncoded()));
        replace(dir.resolve("host.key"), pem("PRIVATE KEY", host.key().getEncoded()));
    }

    public static void writeBundle(Path dir, Issued... cas) throws Exception {
        StringBuilder bundle = new StringBuilder();
        for (Issued ca : cas) {
            bundle.append(pem("CERTIFICATE", ca.cert().getEncoded()));
        }
        replace(dir.resolve("flock-ca.pem"), bundle.toString());
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** Written aside and moved into place, as an operator's tooling should: a reader never sees half a file. */
    private static void replace(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void hostExtensions(X509v3CertificateBuilder b) throws IOException {
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        b.addExtension(Extension.extendedKeyUsage, false,
                new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
    }

    private static X500Name name(String cn, String o) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, o).addRDN(BCStyle.CN, cn).build();
    }

    private static KeyPair keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return g.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    }
}
