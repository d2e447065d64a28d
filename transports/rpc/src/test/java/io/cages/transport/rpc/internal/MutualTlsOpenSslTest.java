package io.cages.transport.rpc.internal;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Every check of {@link MutualTlsTest} with the OpenSSL provider forced (cages.rpc.tls.provider=openssl). */
class MutualTlsOpenSslTest extends MutualTlsTest {

    @BeforeAll
    static void force() {
        System.setProperty(RpcTlsProviderTest.PROPERTY, "openssl");
    }

    @AfterAll
    static void unforce() {
        System.clearProperty(RpcTlsProviderTest.PROPERTY);
    }
}
