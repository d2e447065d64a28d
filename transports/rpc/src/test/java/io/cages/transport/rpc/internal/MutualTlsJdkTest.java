package io.cages.transport.rpc.internal;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Every check of {@link MutualTlsTest} with the JDK provider forced (cages.rpc.tls.provider=jdk). */
class MutualTlsJdkTest extends MutualTlsTest {

    @BeforeAll
    static void force() {
        System.setProperty(RpcTlsProviderTest.PROPERTY, "jdk");
    }

    @AfterAll
    static void unforce() {
        System.clearProperty(RpcTlsProviderTest.PROPERTY);
    }
}
