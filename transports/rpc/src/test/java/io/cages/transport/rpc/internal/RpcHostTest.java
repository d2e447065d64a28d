package io.cages.transport.rpc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.api.ErrorCode;
import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.spi.Reply;
import io.cages.host.testing.Await;
import io.cages.host.testing.Probe;
import io.cages.host.testing.TestCages;
import io.cages.testcages.VersionCage;
import io.cages.transport.rpc.RemoteCageException;
import io.cages.transport.rpc.RpcClient;
import io.cages.transport.rpc.RpcConnectionException;
import io.cages.transport.rpc.RpcSettings;
import io.cages.transport.rpc.RpcTransport;
import java.io.DataInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The RPC transport inside a real host, called through {@link RpcClient} over real loopback sockets. */
class RpcHostTest {

    @TempDir
    static Path dir;
    static Host host;
    static RpcTransport transport;
    static RpcClient client;
    static InetSocketAddress peer;

    static final RpcSettings SETTINGS = RpcSettings.defaults().withBind("127.0.0.1", 0);

    @BeforeAll
    static void start() throws Exception {
        transport = new RpcTransport(SETTINGS);
        host = Host.start(HostConfig.defaults().withWorkDir(dir.resolve("work")).withCageConfigDir(dir.resolve("c")), List.of(transport));
        host.admin().deploy(TestCages.build("svc", "1.0.0", VersionCage.class), "test");
        peer = transport.localAddress();
        client = new RpcClient(SETTINGS);
    }

    @AfterAll
    static void stop() {
        client.close();
        host.close();
    }

    @BeforeEach
    void resetProbes() {
        Probe.reset();
    }

    private static CompletableFuture<Reply> call(String cage, String operation, Map<String, Object> params, Deadline deadline) {
        return client.call(peer, "caller-cage", cage, operation, params, null, null, deadline, false);
    }

    static CageException failureOf(CompletableFuture<Reply> call) throws Exception {
        try {
            Reply reply = call.get(15, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure, got " + reply);
        } catch (ExecutionException e) {
            return assertInstanceOf(CageException.class, e.getCause());
        }
    }

    @Test
    void callReturnsTheCagesValueAndVersion() throws Exception {
        Reply reply = call("svc", "version", Map.of(), Deadline.afterMillis(5_000)).get(10, TimeUnit.SECONDS);
        assertEquals("1.0.0", reply.value().get("version").asText());
        assertEquals("1.0.0", reply.version());
    }

    @Test
    void aStreamedAnswerTravelsAsBytesWithinTheFrameLimitAndIsRefusedPastIt() throws Exception {
        Reply small = call("svc", "stream", Map.of("bytes", "100000"), Deadline.afterMillis(5_000)).get(10, TimeUnit.SECONDS);
        assertEquals(100_000, small.body().length);
        assertEquals("application/x-test", small.contentType());
        int over = RpcSettings.DEFAULT_MAX_FRAME_BYTES + 64 * 1024; // past the host's gathering buffer: a write fails, not the last flush
        CageException big = failureOf(call("svc", "stream", Map.of("bytes", Integer.toString(over)), Deadline.afterMillis(10_000)));
        assertEquals(ErrorCode.BAD_REQUEST, big.code());
        assertTrue(big.getMessage().contains("stream larger than the RPC frame limit of " + RpcSettings.DEFAULT_MAX_FRAME_BYTES
                + " bytes; call it over HTTP"), big.getMessage());
        Await.until("the producer saw its write fail", Duration.ofSeconds(10), () -> Probe.get("svc.stream.ioerror") == 1);
    }

    @Test
    void unknownCageIsNotFoundNamingHostCageAndOperation() throws Exception {
        RemoteCageException e = assertInstanceOf(RemoteCageException.class, failureOf(call("nope", "version", Map.of(), Deadline.afterMillis(5_000))));
        assertEquals(ErrorCode.NOT_FOUND, e.code());
        assertEquals(host.config().name(), e.host());
        assertEquals("nope", e.cage());
        assertEquals("version", e.operation());
    }

    @Test
    void handlerFailureIsInternalWithoutItsDetails() throws Exception {
        CageException e = failureOf(call("svc", "fail", Map.of(), Deadline.afterMillis(5_000)));
        assertEquals(ErrorCode.INTERNAL, e.code());
        assertFalse(e.getMessage().contains("secret internal detail"), e.getMessage());
        assertFalse(e.getMessage().contains("IllegalStateException"), e.getMessage());
    }

    @Test
    void calleeRunsWithinTheCallersRemainingDeadline() throws Exception {
        Deadline deadline = Deadline.afterMillis(3_000);
        Reply reply = call("svc", "deadline", Map.of(), deadline).get(10, TimeUnit.SECONDS);
        long calleeRemaining = reply.value().get("remainingMs").asLong();
        assertTrue(calleeRemaining > 0 && calleeRemaining <= 3_000, "callee had " + calleeRemaining + " ms");
        assertTrue(calleeRemaining >= deadline.remainingMillis(), "the callee's deadline is no later than the caller's");
    }

    @Test
    void slowCalleeFailsAtTheCallersDeadline() throws Exception {
        long started = System.nanoTime();
        CageException e = failureOf(call("svc", "sleep", Map.of("ms", "5000"), Deadline.afterMillis(300)));
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertEquals(ErrorCode.DEADLINE_EXCEEDED, e.code());
        assertTrue(tookMs >= 250 && tookMs < 2_000, "failed after " + tookMs + " ms");
        assertEquals(0, Probe.get("svc.sleep.done"));
    }

    @Test
    void callArrivingExpiredIsAnsweredWithoutBeingExecuted() throws Exception {
        long executed = host.executedRequests();
        try (RawPeer raw = new RawPeer(peer)) {
            raw.send(new Frame.Request(5, false, 0, "caller-cage", "svc", "version", null, null, null, null));
            Frame.Error error = assertInstanceOf(Frame.Error.class, raw.read());
            assertEquals(5, error.id());
            assertEquals("DEADLINE_EXCEEDED", error.code());
            assertTrue(error.message().contains("not executed"), error.message());
        }
        assertEquals(executed, host.executedRequests());
        assertEquals(0, Probe.get("svc.version"));

        CageException local = failureOf(call("svc", "version", Map.of(), Deadline.afterMillis(-1)));
        assertEquals(ErrorCode.DEADLINE_EXCEEDED, local.code(), "an expired call is not even sent");
        assertEquals(executed, host.executedRequests());
    }

    @Test
    void pingIsAnsweredWithPongOfTheSameId() throws Exception {
        try (RawPeer raw = new RawPeer(peer)) {
            raw.send(new Frame.Control(FrameType.PING, 31));
            assertEquals(new Frame.Control(FrameType.PONG, 31), raw.read());
        }
    }

    @Test
    void thousandConcurrentCallsAreMultiplexedOverThePool() throws Exception {
        List<CompletableFuture<Reply>> calls = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            // Every tenth call sleeps, so replies overtake each other on the same connection.
            calls.add(i % 10 == 0
                    ? call("svc", "sleep", Map.of("ms", "50"), Deadline.afterMillis(20_000))
                    : call("svc", "version", Map.of("i", i), Deadline.afterMillis(20_000)));
        }
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        for (CompletableFuture<Reply> c : calls) {
            assertEquals("1.0.0", c.join().value().get("version").asText());
        }
        assertEquals(SETTINGS.connectionsPerPeer(), client.openConnections(peer), "all calls shared the pool's connections");
        assertEquals(900, Probe.get("svc.version"));
        assertEquals(100, Probe.get("svc.sleep.done"));
    }

    @Test
    void connectRefusedIsNotDelivered() throws Exception {
        InetSocketAddress closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
        }
        RpcConnectionException e = assertInstanceOf(RpcConnectionException.class,
                failureOf(client.call(closed, "caller-cage", "svc", "version", Map.of(), null, null, Deadline.afterMillis(5_000), false)));
        assertFalse(e.delivered());
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains("not delivered"), e.getMessage());
    }

    @Test
    void peerDyingMidCallIsDeliveredConnectionLost() throws Exception {
        try (ServerSocket fake = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CountDownLatch requestRead = new CountDownLatch(1);
            Thread.startVirtualThread(() -> {
                try (Socket s = fake.accept()) {
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    in.readFully(new byte[in.readInt()]); // the whole REQUEST: it was delivered
                    requestRead.countDown();
                    s.setSoLinger(true, 0); // then die: reset, as a killed process's socket does
                } catch (Exception ignored) {
                    requestRead.countDown();
                }
            });
            InetSocketAddress fakePeer = (InetSocketAddress) fake.getLocalSocketAddress();
            // A client of its own: the shared one may still pool a dead connection to an earlier test's fake peer
            // that had the same ephemeral port, and a write on that one is, rightly, "not delivered".
            try (RpcClient fresh = new RpcClient(SETTINGS.withConnectionsPerPeer(1))) {
                CompletableFuture<Reply> call = fresh.call(fakePeer, "caller-cage", "svc", "version", Map.of(), null, null,
                        Deadline.afterMillis(10_000), false);
                assertTrue(requestRead.await(10, TimeUnit.SECONDS));
                RpcConnectionException e = assertInstanceOf(RpcConnectionException.class, failureOf(call));
                assertTrue(e.delivered(), e.getMessage());
                assertTrue(e.getMessage().contains("delivered but the connection was lost"), e.getMessage());
            }
        }
    }

    @Test
    void silentPeerIsClosedByHeartbeatAndItsCallsAreDeliveredConnectionLost() throws Exception {
        RpcSettings quick = SETTINGS.withHeartbeat(100, 300);
        Set<Socket> held = new HashSet<>();
        try (RpcClient heartbeating = new RpcClient(quick);
             ServerSocket fake = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.startVirtualThread(() -> {
                try {
                    held.add(fake.accept()); // accepts and reads nothing: a hung host
                } catch (Exception ignored) {
                    // the test closes the socket
                }
            });
            long started = System.nanoTime();
            CompletableFuture<Reply> call = heartbeating.call((InetSocketAddress) fake.getLocalSocketAddress(), "caller-cage",
                    "svc", "block", Map.of(), null, null, Deadline.afterMillis(20_000), false);
            RpcConnectionException e = assertInstanceOf(RpcConnectionException.class, failureOf(call));
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            assertTrue(e.delivered());
            assertTrue(e.getMessage().contains("silent for 300 ms"), e.getMessage());
            assertTrue(tookMs < 5_000, "closed after " + tookMs + " ms");
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void idleConnectionSurvivesOnHeartbeats() throws Exception {
        // A 600 ms silence limit: short enough to cross four of them quickly, long enough that a busy 2-core
        // machine (JIT, GC, parallel builds) never goes that long without running the event loops.
        RpcSettings quick = SETTINGS.withHeartbeat(100, 600).withConnectionsPerPeer(1);
        try (RpcClient heartbeating = new RpcClient(quick)) {
            assertNotNull(heartbeating.call(peer, "c", "svc", "version", null, null, null, Deadline.afterMillis(5_000), false)
                    .get(10, TimeUnit.SECONDS));
            long idleUntil = System.nanoTime() + Duration.ofMillis(2_400).toNanos();
            // Four idle timeouts pass; the PING/PONG exchange keeps the connection (no wait on luck: we check it stays up).
            Await.until("four idle timeouts", Duration.ofSeconds(10), () -> System.nanoTime() - idleUntil > 0);
            assertEquals(1, heartbeating.openConnections(peer));
            assertNotNull(heartbeating.call(peer, "c", "svc", "version", null, null, null, Deadline.afterMillis(5_000), false)
                    .get(10, TimeUnit.SECONDS));
        }
    }
}
