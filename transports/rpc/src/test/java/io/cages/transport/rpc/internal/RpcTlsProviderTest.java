package io.cages.transport.rpc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.api.Deadline;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.cages.host.spi.Dispatcher;
import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.Reply;
import io.cages.transport.rpc.RpcClient;
import io.cages.transport.rpc.RpcTls;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslContext;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which TLS implementation RpcTls runs on, and how {@code cages.rpc.tls.provider} forces one. */
class RpcTlsProviderTest {

    static final String PROPERTY = "cages.rpc.tls.provider";

    /** Answers every call with the calling host's name as the connection authenticated it. */
    static final Dispatcher ECHO_PEER_HOST = new Dispatcher() {
        @Override
        public String newRequestId() {
            return UUID.randomUUID().toString();
        }

        @Override
        public CompletableFuture<Reply> dispatch(InboundRequest request) {
            var value = JsonNodeFactory.instance.objectNode().put("peerHost", request.attributes().get("peer.host"));
            return CompletableFuture.completedFuture(new Reply(value, null, null, Map.of(), "1"));
        }
    };

    @TempDir
    Path dir;

    @AfterEach
    void unset() {
        System.clearProperty(PROPERTY);
    }

    private RpcTls tls(String host) throws Exception {
        TestPki.Issued ca = TestPki.ca("payments");
        Path folder = dir.resolve(host);
        TestPki.write(folder, TestPki.host(ca, host, "payments"), ca);
        return RpcTls.once(folder.resolve("flock-ca.pem"), folder.resolve("host.pem"), folder.resolve("host.key"), host, "payments");
    }

    @Test
    void openSslIsUsedWhereItIsAvailableAndItIsOnLinuxX86And64BitArm() throws Exception {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch");
        if (os.contains("linux") && (arch.equals("amd64") || arch.equals("aarch64"))) {
            // netty-tcnative-boringssl-static ships this platform's library: failing to load it is a bug, not a fallback.
            assertTrue(OpenSsl.isAvailable(), "OpenSSL is not available: " + OpenSsl.unavailabilityCause());
        }
        try (RpcTls tls = tls("h1")) {
            SslProvider expected = OpenSsl.isAvailable() && SslProvider.isTlsv13Supported(SslProvider.OPENSSL)
                    && OpenSsl.supportsKeyManagerFactory() ? SslProvider.OPENSSL : SslProvider.JDK;
            assertEquals(expected, tls.provider());
        }
    }

    @Test
    void jdkForcedIsTheJdksEngine() throws Exception {
        System.setProperty(PROPERTY, "jdk");
        try (RpcTls tls = tls("h1")) {
            assertEquals(SslProvider.JDK, tls.provider());
            assertInstanceOf(JdkSslContext.class, tls.serverContext());
            assertInstanceOf(JdkSslContext.class, tls.clientContext());
        }
    }

    @Test
    void openSslForcedIsOpenSslsEngineAndSpeaksTls13() throws Exception {
        System.setProperty(PROPERTY, "OpenSSL");
        try (RpcTls server = tls("h1")) {
            assertEquals(SslProvider.OPENSSL, server.provider());
            assertInstanceOf(OpenSslContext.class, server.serverContext());
            assertInstanceOf(OpenSslContext.class, server.clientContext());
        }
    }

    @Test
    void anUnknownProviderIsAClearError() {
        System.setProperty(PROPERTY, "bouncy");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tls("h1"));
        assertEquals("cages.rpc.tls.provider: 'bouncy' is not one of jdk, openssl (unset: OpenSSL where it is available, else the JDK)",
                e.getMessage());
    }

    @Test
    void aJdkClientAndAnOpenSslServerTalk() throws Exception {
        TestPki.Issued ca = TestPki.ca("payments");
        TestPki.write(dir.resolve("h1"), TestPki.host(ca, "h1", "payments"), ca);
        TestPki.write(dir.resolve("h2"), TestPki.host(ca, "h2", "payments"), ca);
        System.setProperty(PROPERTY, "openssl");
        RpcTls serverTls = RpcTls.once(dir.resolve("h1/flock-ca.pem"), dir.resolve("h1/host.pem"), dir.resolve("h1/host.key"), "h1", "payments");
        System.setProperty(PROPERTY, "jdk");
        RpcTls clientTls = RpcTls.once(dir.resolve("h2/flock-ca.pem"), dir.resolve("h2/host.pem"), dir.resolve("h2/host.key"), "h2", "payments");
        Server server = Server.start(ECHO_PEER_HOST, "h1", MutualTlsTest.SETTINGS, serverTls);
        try (RpcClient client = new RpcClient(MutualTlsTest.SETTINGS, clientTls)) {
            var reply = client.call(server.localAddress(), "caller", "svc", "op", Map.of(), null, null, Deadline.afterMillis(5_000), false)
                    .get(10, TimeUnit.SECONDS);
            assertEquals("h2", reply.value().get("peerHost").asText());
        } finally {
            server.close();
        }
    }

    @Test
    void aRefusalNamesWhyTheCertificateWasRefusedOnBothProviders() {
        // OpenSSL's handshake failure names its verify error only; the trust manager's reason is its cause.
        var openSsl = new javax.net.ssl.SSLHandshakeException("error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED");
        openSsl.initCause(new java.security.cert.CertificateException("PKIX path building failed: no trusted CA"));
        assertEquals("error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED (PKIX path building failed: no trusted CA)",
                ServerTlsGate.reason(new io.netty.handler.codec.DecoderException(openSsl)));
        // The JDK's message already carries it: unchanged.
        var jdk = new javax.net.ssl.SSLHandshakeException("(certificate_unknown) PKIX path building failed: no trusted CA");
        jdk.initCause(new java.security.cert.CertificateException("PKIX path building failed: no trusted CA"));
        assertEquals("(certificate_unknown) PKIX path building failed: no trusted CA",
                ServerTlsGate.reason(new io.netty.handler.codec.DecoderException(jdk)));
    }
}
