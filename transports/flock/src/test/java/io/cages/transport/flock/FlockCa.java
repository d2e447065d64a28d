package io.cages.transport.flock;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A flock CA made in memory for tests (BouncyCastle), and the host certificates it signs. */
final class FlockCa {

    static final char[] PASSWORD = "test".toCharArray();
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final KeyPair key;
    private final X500Name name;
    private final X509Certificate cert;

    private FlockCa(KeyPair key, X500Name name, X509Certificate cert) {
        this.key = key;
        this.name = name;
        this.cert = cert;
    }

    /** A CA named {@code name}. */
    static FlockCa create(String name) throws Exception {
        KeyPair key = newKey();
        X500Name subject = new X500Name("CN=" + name + " CA");
        X509v3CertificateBuilder builder = builder(subject, subject, key)
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        return new FlockCa(key, subject, sign(builder, key));
    }

    /** Credentials for host {@code host} of flock {@code flock}, signed by this CA; trusting this CA. */
    FlockCredentials host(String host, String flock) throws Exception {
        KeyPair hostKey = newKey();
        X509v3CertificateBuilder builder = builder(name,
                new X500Name("CN=" + host + ",O=" + flock), hostKey)
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
                .addExtension(Extension.extendedKeyUsage, false,
                        new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
        return credentials(hostKey, new X509Certificate[] {sign(builder, key), cert}, trustStore());
    }

    /** A host that made its own certificate ({@code CN=host, O=flock}, self-signed), trusting only itself. */
    static FlockCredentials selfSigned(String host, String flock) throws Exception {
        KeyPair hostKey = newKey();
        X500Name subject = new X500Name("CN=" + host + ",O=" + flock);
        X509Certificate self = sign(builder(subject, subject, hostKey)
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false)), hostKey);
        KeyStore trust = emptyStore();
        trust.setCertificateEntry("self", self);
        return credentials(hostKey, new X509Certificate[] {self}, trust);
    }

    private KeyStore trustStore() throws Exception {
        KeyStore trust = emptyStore();
        trust.setCertificateEntry("flock-ca", cert);
        return trust;
    }

    private static FlockCredentials credentials(KeyPair key, Certificate[] chain, KeyStore trust) throws Exception {
        KeyStore keys = emptyStore();
        keys.setKeyEntry("host", key.getPrivate(), PASSWORD, chain);
        return new FlockCredentials(keys, PASSWORD, trust);
    }

    private static KeyStore emptyStore() throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        return store;
    }

    private static KeyPair newKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair subjectKey) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject, subjectKey.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
    }
}
