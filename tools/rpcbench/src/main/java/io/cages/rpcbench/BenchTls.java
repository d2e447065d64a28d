package io.cages.rpcbench;

import io.cages.transport.rpc.RpcTls;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
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

/**
 * The credentials of the {@code -tls} rows, RPC over mutual TLS (what {@code cagectl ca} makes: a flock CA, EC
 * P-256 host certificates {@code CN=<host>,O=bench}), measured beside the plain rows in the same run.
 * The caller makes the files in a temporary folder and hands it to the callee as {@value #DIR_PROPERTY}.
 */
final class BenchTls {

    static final String DIR_PROPERTY = "rpcbench.tlsDir";
    static final String FLOCK = "bench";
    private static final SecureRandom RANDOM = new SecureRandom();

    private BenchTls() {
    }

    /** Makes a CA and the certificates of hosts {@code callee} and {@code caller}; returns their folder. */
    static Path prepare() throws Exception {
        Path dir = Files.createTempDirectory("cages-rpcbench-tls");
        KeyPair caKeys = keys();
        X500Name caName = name(FLOCK + " flock CA");
        X509v3CertificateBuilder ca = new JcaX509v3CertificateBuilder(caName, serial(), Date.from(Instant.now().minusSeconds(60)),
                Date.from(Instant.now().plusSeconds(86_400)), caName, caKeys.getPublic());
        ca.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        ca.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign));
        X509Certificate caCert = sign(ca, caKeys.getPrivate());
        Files.writeString(dir.resolve("flock-ca.pem"), pem("CERTIFICATE", caCert.getEncoded()));
        for (String host : new String[] {"callee", "caller"}) {
            KeyPair keys = keys();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(caCert, serial(), Date.from(Instant.now().minusSeconds(60)),
                    Date.from(Instant.now().plusSeconds(86_400)), name(host), keys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            Files.writeString(dir.resolve(host + ".pem"), pem("CERTIFICATE", sign(b, caKeys.getPrivate()).getEncoded()));
            Files.writeString(dir.resolve(host + ".key"), pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
        }
        return dir;
    }

    /** Host {@code host}'s credentials from {@code dir}, read once. */
    static RpcTls of(Path dir, String host) {
        return RpcTls.once(dir.resolve("flock-ca.pem"), dir.resolve(host + ".pem"), dir.resolve(host + ".key"), host, FLOCK);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static X500Name name(String cn) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, FLOCK).addRDN(BCStyle.CN, cn).build();
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
