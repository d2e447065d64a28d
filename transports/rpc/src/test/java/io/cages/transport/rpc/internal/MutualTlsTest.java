package io.cages.transport.rpc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.cages.api.Deadline;
import io.cages.host.spi.Dispatcher;
import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.Reply;
import io.cages.host.testing.Await;
import io.cages.transport.rpc.HostCredentials;
import io.cages.transport.rpc.RpcClient;
import io.cages.transport.rpc.RpcConnectionException;
import io.cages.transport.rpc.RpcSettings;
import io.cages.transport.rpc.RpcTls;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.InputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The RPC transport over mutual TLS with a flock CA, on real loopback sockets. */
class MutualTlsTest {

    static final String FLOCK = "payments";
    static final RpcSettings SETTINGS = RpcSettings.defaults().withBind("127.0.0.1", 0);

    @TempDir
    Path dir;
    TestPki.Issued ca;
    final LongAdder dispatched = new LongAdder();
    final List<AutoCloseable> closing = new ArrayList<>();

    /** Answers every call with the calling host's name as the connection authenticated it. */
    final Dispatcher echo = new Dispatcher() {
        @Override
        public String newRequestId() {
            return UUID.randomUUID().toString();
        }

        @Override
        public CompletableFuture<Reply> dispatch(InboundRequest request) {
            dispatched.increment();
            var value = JsonNodeFactory.instance.objectNode().put("peerHost", request.attributes().get("peer.host"));
            return CompletableFuture.completedFuture(new Reply(value, null, null, Map.of(), "1"));
        }
    };

    @BeforeEach
    void makeCa() throws Exception {
        ca = TestPki.ca(FLOCK);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    private RpcTls tls(String host, String flock, TestPki.Issued cert, TestPki.Issued... bundle) throws Exception {
        Path folder = dir.resolve(host + "-" + flock);
        TestPki.write(folder, cert, bundle);
        RpcTls tls = RpcTls.watch(folder.resolve("flock-ca.pem"), folder.resolve("host.pem"), folder.resolve("host.key"), host, flock);
        closing.add(tls);
        return tls;
    }

    private Server server(RpcTls tls) {
        Server server = Server.start(echo, "h1", SETTINGS, tls);
        closing.add(server::close);
        return server;
    }

    private RpcClient client(RpcTls tls) {
        RpcClient client = new RpcClient(SETTINGS, tls);
        closing.add(client);
        return client;
    }

    private static CompletableFuture<Reply> call(RpcClient client, InetSocketAddress peer) {
        return client.call(peer, "caller", "svc", "op", Map.of(), null, null, Deadline.afterMillis(5_000), false);
    }

    @Test
    void callsSucceedOverMutualTlsAndTheCalleeSeesTheCallersHostFromItsCertificate() throws Exception {
        Server server = server(tls("h1", FLOCK, TestPki.host(ca, "h1", FLOCK), ca));
        RpcClient client = client(tls("h2", FLOCK, TestPki.host(ca, "h2", FLOCK), ca));
        for (int i = 0; i < 20; i++) {
            Reply reply = call(client, server.localAddress()).get(10, TimeUnit.SECONDS);
            assertEquals("h2", reply.value().get("peerHost").asText());
        }
        assertEquals(0, server.refusedConnections());
    }

    @Test
    void withoutTlsThePeerHostIsNotSetAndAFrameCannotSetIt() throws Exception {
        Server server = server(null);
        RpcClient client = client(null);
        Reply reply = call(client, server.localAddress()).get(10, TimeUnit.SECONDS);
        assertTrue(reply.value().get("peerHost").isNull(), reply.value().toString());
    }

    @Test
    void aSelfSignedPeerIsRefusedInTheHandshakeAndNothingIsDispatched() throws Exception {
        Server server = server(tls("h1", FLOCK, TestPki.host(ca, "h1", FLOCK), ca));
        TestPki.Issued rogue = TestPki.selfSigned("h9", FLOCK);
        assertRefusedByServer(server, rogueCredentials("h9", FLOCK, rogue, rogue));
    }

    @Test
    void aCertificateOfAnotherFlockIsRefusedFromItsOwnCaAndFromThisOne() throws Exception {
        Server server = server(tls("h1", FLOCK, TestPki.host(ca, "h1", FLOCK), ca));
        TestPki.Issued otherCa = TestPki.ca("other");
        assertRefusedByServer(server, rogueCredentials("h3", "other", TestPki.host(otherCa, "h3", "other"), otherCa));
        // Signed by this flock's own CA, but naming another flock: the flock rule, not the chain, refuses it.
        assertRefusedByServer(server, rogueCredentials("h4", "other", TestPki.host(ca, "h4", "other"), ca));
    }

    @Test
    void aClientOfAnotherFlockDoesNotTrustThisFlocksServer() throws Exception {
        Server server = server(tls("h1", FLOCK, TestPki.host(ca, "h1", FLOCK), ca));
        TestPki.Issued otherCa = TestPki.ca("other");
        RpcClient client = client(tls("h5", "other", TestPki.host(otherCa, "h5", "other"), otherCa, ca));
        ExecutionException e = assertThrows(ExecutionException.class, () -> call(client, server.localAddress()).get(10, TimeUnit.SECONDS));
        RpcConnectionException refused = assertInstanceOf(RpcConnectionException.class, e.getCause());
        assertTrue(!refused.delivered() && refused.getMessage().contains("TLS handshake"), refused.getMessage());
        assertEquals(0, dispatched.sum());
    }

    @Test
    void aPlainTcpClientSendingAValidFrameIsRefusedAndNothingReachesACage() throws Exception {
        Server server = server(tls("h1", FLOCK, TestPki.host(ca, "h1", FLOCK), ca));
        try (RawPeer plain = new RawPeer(server.localAddress())) {
            plain.send(new Frame.Request(1, false, 5_000, "caller", "svc", "op", null, null, Map.of(), null, null));
            assertTrue(plain.drainUntilClosed(), "the server did not close the plain TCP connection");
        }
        Await.until("the refusal counted", Duration.ofSeconds(10), () -> server.refusedConnections() == 1);
        assertEquals(0, dispatched.sum());
        assertEquals(0, server.requests());
        assertEquals(0, server.refusedFrames());
    }

    @Test
    void credentialProblemsAreErrorsNamingTheFile() throws Exception {
        Path f = dir.resolve("bad");
        TestPki.write(f, TestPki.host(ca, "h1", FLOCK), ca);
        Path caFile = f.resolve("flock-ca.pem");
        Path cert = f.resolve("host.pem");
        Path key = f.resolve("host.key");
        HostCredentials.load(caFile, cert, key, "h1", FLOCK); // the good case

        assertProblem(() -> HostCredentials.load(f.resolve("none.pem"), cert, key, "h1", FLOCK), "tls CA bundle " + f.resolve("none.pem") + ": no such file");
        Files.writeString(f.resolve("junk.pem"), "hello");
        assertProblem(() -> HostCredentials.load(caFile, f.resolve("junk.pem"), key, "h1", FLOCK),
                "tls host certificate " + f.resolve("junk.pem") + ": not a readable PEM certificate");
        assertProblem(() -> HostCredentials.load(caFile, cert, f.resolve("junk.pem"), "h1", FLOCK),
                "tls key " + f.resolve("junk.pem") + ": not a PEM PKCS#8 private key");
        Path other = dir.resolve("other");
        TestPki.write(other, TestPki.host(ca, "h1", FLOCK), ca);
        assertProblem(() -> HostCredentials.load(caFile, cert, other.resolve("host.key"), "h1", FLOCK),
                "tls key " + other.resolve("host.key") + ": not the private key of the certificate in " + cert);
        TestPki.Issued otherCa = TestPki.ca(FLOCK);
        TestPki.writeBundle(other, otherCa);
        assertProblem(() -> HostCredentials.load(other.resolve("flock-ca.pem"), cert, key, "h1", FLOCK),
                "tls cert " + cert + ": issued by 'CN=payments flock CA,O=payments', which no CA certificate in " + other.resolve("flock-ca.pem") + " signed");
        assertProblem(() -> HostCredentials.load(caFile, cert, key, "h2", FLOCK),
                "tls cert " + cert + ": names host 'h1' of flock 'payments' (subject CN=h1,O=payments), but this is host 'h2' of flock 'payments'");
        assertProblem(() -> HostCredentials.load(caFile, cert, key, "h1", "other"),
                "tls cert " + cert + ": names host 'h1' of flock 'payments' (subject CN=h1,O=payments), but this is host 'h1' of flock 'other'");
    }

    /**
     * Rotation to a new CA under load: bundles hold old and new, then every host gets a new certificate, then the
     * bundles hold the new CA only. 8 callers in a loop the whole time; no call may fail.
     */
    @Test
    void rotatingToANewCaUnderLoadFailsNoCall() throws Exception {
        TestPki.Issued newCa = TestPki.ca(FLOCK);
        RpcTls serverTls = tls("h1", FLOCK, TestPki.host(ca, "h1", FLOCK), ca);
        RpcTls clientTls = tls("h2", FLOCK, TestPki.host(ca, "h2", FLOCK), ca);
        Path serverDir = dir.resolve("h1-" + FLOCK);
        Path clientDir = dir.resolve("h2-" + FLOCK);
        Server server = server(serverTls);
        RpcClient client = client(clientTls);
        InetSocketAddress peer = server.localAddress();

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger ok = new AtomicInteger();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> callers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            callers.add(Thread.startVirtualThread(() -> {
                while (running.get()) {
                    try {
                        call(client, peer).get(10, TimeUnit.SECONDS);
                        ok.incrementAndGet();
                    } catch (Exception e) {
                        failures.add(e);
                    }
                }
            }));
        }
        Await.until("calls flowing", Duration.ofSeconds(10), () -> ok.get() > 100);

        // 1. Both CAs trusted everywhere.
        TestPki.writeBundle(serverDir, ca, newCa);
        TestPki.writeBundle(clientDir, ca, newCa);
        awaitGeneration(serverTls, 2);
        awaitGeneration(clientTls, 2);
        awaitMoreCalls(ok);
        // 2. New certificates from the new CA (cert and key land one after the other: the mismatch in between waits).
        TestPki.writeHost(serverDir, TestPki.host(newCa, "h1", FLOCK));
        TestPki.writeHost(clientDir, TestPki.host(newCa, "h2", FLOCK));
        awaitGeneration(serverTls, 3);
        awaitGeneration(clientTls, 3);
        awaitMoreCalls(ok);
        // 3. The old CA is dropped: the server first, so the client's next connections meet a server that trusts the new CA only.
        TestPki.writeBundle(serverDir, newCa);
        awaitGeneration(serverTls, 4);
        TestPki.writeBundle(clientDir, newCa);
        awaitGeneration(clientTls, 4);
        // The client moved to connections made now: they handshook with its new certificate against the new-only bundle.
        Await.until("the client reconnected with the new credentials", Duration.ofSeconds(10), () -> client.openConnections(peer) >= 1);
        awaitMoreCalls(ok);
        running.set(false);
        for (Thread caller : callers) {
            caller.join(15_000);
        }
        assertEquals(List.of(), failures, "failed calls during the rotation (" + ok.get() + " succeeded)");
        assertEquals(0, server.refusedConnections());

        // The server now presents the new certificate: a host trusting the new CA only gets in...
        RpcClient fresh = client(tls("h6", FLOCK, TestPki.host(newCa, "h6", FLOCK), newCa));
        assertEquals("h6", call(fresh, peer).get(10, TimeUnit.SECONDS).value().get("peerHost").asText());
        // ...and one with a certificate of the old CA no longer does.
        assertRefusedByServer(server, rogueCredentials("h7", FLOCK, TestPki.host(ca, "h7", FLOCK), ca));
    }

    private static void awaitGeneration(RpcTls tls, long generation) {
        Await.until(tls + " at generation " + generation, Duration.ofSeconds(10), () -> tls.generation() == generation);
    }

    private static void awaitMoreCalls(AtomicInteger ok) {
        int now = ok.get();
        Await.until("more calls answered", Duration.ofSeconds(10), () -> ok.get() > now + 200);
    }

    private HostCredentials rogueCredentials(String host, String flock, TestPki.Issued cert, TestPki.Issued... bundle) throws Exception {
        Path folder = dir.resolve("rogue-" + host + "-" + flock);
        TestPki.write(folder, cert, bundle);
        return HostCredentials.load(folder.resolve("flock-ca.pem"), folder.resolve("host.pem"), folder.resolve("host.key"), host, flock);
    }

    /**
     * A rogue client that trusts any server, presents {@code rogue}'s certificate and sends a valid REQUEST: the
     * server must refuse it in the handshake (no answer frame, the connection ends) and dispatch nothing.
     */
    private void assertRefusedByServer(Server server, HostCredentials rogue) throws Exception {
        long refusedBefore = server.refusedConnections();
        long dispatchedBefore = dispatched.sum();
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(rogue.keyManagerFactory().getKeyManagers(), InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
        InetSocketAddress address = server.localAddress();
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout(10_000);
            socket.setEnabledProtocols(new String[] {"TLSv1.3"});
            try {
                socket.startHandshake(); // in TLS 1.3 the client's side completes before the server checked its certificate
                socket.getOutputStream().write(RawPeer.bytes(new Frame.Request(1, false, 5_000, "caller", "svc", "op", null, null, Map.of(), null, null)));
                socket.getOutputStream().flush();
                InputStream in = socket.getInputStream();
                assertEquals(-1, in.read(), "the server answered a refused peer");
            } catch (IOException refused) {
                // an alert (bad_certificate, certificate_unknown) or a reset: refused
            }
        }
        Await.until("the refusal counted", Duration.ofSeconds(10), () -> server.refusedConnections() == refusedBefore + 1);
        assertEquals(dispatchedBefore, dispatched.sum(), "a refused peer's call reached a cage");
    }

    private static void assertProblem(org.junit.jupiter.api.function.Executable load, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, load);
        assertTrue(e.getMessage().startsWith(expected), "expected '" + expected + "...', got '" + e.getMessage() + "'");
    }
}
