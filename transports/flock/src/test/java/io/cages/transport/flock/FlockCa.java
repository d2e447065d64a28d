package io.cages.transport.flock;

import io.cages.transport.rpc.internal.TestPki;
import java.security.KeyStore;
import java.security.cert.Certificate;

/**
 * A flock CA made in memory for tests, and the host credentials it signs, as key stores for {@link FlockCredentials}.
 * The certificates are {@link TestPki}'s (the one maker of the RPC and flock tests: EC P-256, {@code CN=host, O=flock}).
 */
final class FlockCa {

    static final char[] PASSWORD = "test".toCharArray();

    private final TestPki.Issued ca;

    private FlockCa(TestPki.Issued ca) {
        this.ca = ca;
    }

    /** A CA named {@code name}. */
    static FlockCa create(String name) throws Exception {
        return new FlockCa(TestPki.ca(name));
    }

    /** Credentials for host {@code host} of flock {@code flock}, signed by this CA; trusting this CA. */
    FlockCredentials host(String host, String flock) throws Exception {
        TestPki.Issued issued = TestPki.host(ca, host, flock);
        KeyStore trust = emptyStore();
        trust.setCertificateEntry("flock-ca", ca.cert());
        return credentials(issued, new Certificate[] {issued.cert(), ca.cert()}, trust);
    }

    /** A host that made its own certificate ({@code CN=host, O=flock}, self-signed), trusting only itself. */
    static FlockCredentials selfSigned(String host, String flock) throws Exception {
        TestPki.Issued self = TestPki.selfSigned(host, flock);
        KeyStore trust = emptyStore();
        trust.setCertificateEntry("self", self.cert());
        return credentials(self, new Certificate[] {self.cert()}, trust);
    }

    private static FlockCredentials credentials(TestPki.Issued issued, Certificate[] chain, KeyStore trust) throws Exception {
        KeyStore keys = emptyStore();
        keys.setKeyEntry("host", issued.key(), PASSWORD, chain);
        return new FlockCredentials(keys, PASSWORD, trust);
    }

    private static KeyStore emptyStore() throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        return store;
    }
}
