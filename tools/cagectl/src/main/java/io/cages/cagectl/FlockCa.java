package io.cages.cagectl;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A flock's certificate authority for mutual TLS between its hosts, as files: {@code flock-ca.pem} and
 * {@code flock-ca.key} (made by {@code cagectl ca init}), and per host {@code host.pem} and {@code host.key}
 * ({@code cagectl ca issue}). Keys are EC P-256, PKCS#8 PEM, unencrypted (the key files are made readable by
 * their owner only).
 *
 * <p>What the host certificates carry is what the RPC transport checks: subject {@code CN=<host>, O=<flock>},
 * extended key usage serverAuth and clientAuth (a host is both), and for information a SAN with the DNS name
 * {@code <host>} and the URI {@code cages://<flock>/<host>}.
 */
final class FlockCa {

    static final String CA_CERT = "flock-ca.pem";
    static final String CA_KEY = "flock-ca.key";
    static final String HOST_CERT = "host.pem";
    static final String HOST_KEY = "host.key";
    private static final String SIGNATURE = "SHA256withECDSA";
    private static final SecureRandom RANDOM = new SecureRandom();

    private FlockCa() {
    }

    /** A new CA for {@code flock}: subject {@code CN=<flock> flock CA, O=<flock>}, valid {@code validity} from now. */
    static KeyPairAndCertificate newCa(String flock, Duration validity) throws GeneralSecurityException {
        KeyPair keys = newKeyPair();
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, flock).addRDN(BCStyle.CN, flock + " flock CA").build();
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(), Date.from(now.minusSeconds(60)),
                Date.from(now.plus(validity)), subject, keys.getPublic());
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        return new KeyPairAndCertificate(keys.getPrivate(), sign(builder, keys.getPrivate()));
    }

    /** A certificate for {@code host} of the CA's flock (the CA certificate's O), signed by the CA. */
    static KeyPairAndCertificate issue(KeyPairAndCertificate ca, String host, Duration validity) throws GeneralSecurityException {
        String flock = organisation(ca.certificate());
        if (flock == null) {
            throw new GeneralSecurityException("the CA certificate names no flock (no O in its subject): "
                    + ca.certificate().getSubjectX500Principal().getName());
        }
        KeyPair keys = newKeyPair();
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, flock).addRDN(BCStyle.CN, host).build();
        Instant now = Instant.now();
        Date notAfter = Date.from(now.plus(validity));
        if (notAfter.after(ca.certificate().getNotAfter())) {
            notAfter = ca.certificate().getNotAfter(); // never beyond its CA
        }
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca.certificate(), serial(), Date.from(now.minusSeconds(60)),
                notAfter, subject, keys.getPublic());
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.dNSName, host),
                    new GeneralName(GeneralName.uniformResourceIdentifier, "cages://" + flock + "/" + host)}));
            builder.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
            builder.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca.certificate()));
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        return new KeyPairAndCertificate(keys.getPrivate(), sign(builder, ca.key()));
    }

    /** A key and its certificate. */
    record KeyPairAndCertificate(PrivateKey key, X509Certificate certificate) {

        /** Writes {@code <name>.pem} and {@code <name>.key}-style files: the certificate and the key (owner-only). */
        void write(Path certFile, Path keyFile) throws IOException, GeneralSecurityException {
            Files.writeString(certFile, pem("CERTIFICATE", certificate.getEncoded()));
            writePrivate(keyFile, pem("PRIVATE KEY", key.getEncoded()));
        }

        static KeyPairAndCertificate read(Path certFile, Path keyFile) throws IOException, GeneralSecurityException {
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(certFile)));
            String pem = Files.readString(keyFile, StandardCharsets.US_ASCII);
            String begin = "-----BEGIN PRIVATE KEY-----";
            String end = "-----END PRIVATE KEY-----";
            int from = pem.indexOf(begin);
            int to = pem.indexOf(end);
            if (from < 0 || to < from) {
                throw new GeneralSecurityException(keyFile + " is not a PEM PKCS#8 private key");
            }
            byte[] der = Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
            PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
            return new KeyPairAndCertificate(key, cert);
        }

        @Override
        public String toString() {
            return certificate.getSubjectX500Principal().getName() + " (serial " + certificate.getSerialNumber().toString(16)
                    + ", valid until " + certificate.getNotAfter().toInstant() + ")";
        }
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** The O of a certificate's subject (the flock), or null. */
    static String organisation(X509Certificate certificate) {
        X500Name name = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
        var rdns = name.getRDNs(BCStyle.O);
        return rdns.length == 0 ? null : rdns[0].getFirst().getValue().toString();
    }

    private static void writePrivate(Path file, String content) throws IOException {
        Files.deleteIfExists(file);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file); // not a POSIX file system
        }
        Files.writeString(file, content);
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return generator.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE).build(signer)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }
}
