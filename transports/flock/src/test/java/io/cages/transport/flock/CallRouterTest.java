package io.cages.transport.flock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.api.ErrorCode;
import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.spi.OutboundCall;
import io.cages.host.spi.RemoteReply;
import io.cages.host.testing.Await;
import io.cages.host.testing.Probe;
import io.cages.host.testing.TestCages;
import io.cages.testcages.VersionCage;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.cages.transport.flock.CallRouter;
import io.cages.transport.flock.CageCopy;
import io.cages.transport.flock.CopyFinder;
import io.cages.transport.flock.RouterSettings;
import io.cages.transport.rpc.RpcClient;
import io.cages.transport.rpc.RpcSettings;
import io.cages.transport.rpc.RpcTransport;
import io.cages.transport.rpc.internal.SilentPeer;

/** Balancing, failover and the retry budget of {@link CallRouter} against three real hosts on loopback. */
class CallRouterTest {

    private static final RpcSettings SETTINGS = RpcSettings.defaults().withBind("127.0.0.1", 0);

    @TempDir
    Path dir;
    final List<Host> hosts = new ArrayList<>();
    final Map<String, CageCopy> copies = new HashMap<>();
    RpcClient client;

    @BeforeEach
    void start() throws Exception {
        Probe.reset();
        byte[] svc = TestCages.withHeader(TestCages.build("svc", "1.0.0", VersionCage.class), "Cage-Idempotent", "version");
        for (String name : List.of("h1", "h2", "h3")) {
            RpcTransport rpc = new RpcTransport(SETTINGS);
            Host host = Host.start(HostConfig.defaults().withName(name).withWorkDir(dir.resolve(name)).withCageConfigDir(dir.resolve("c")),
                    List.of(rpc));
            host.admin().deploy(svc, "test");
            hosts.add(host);
            copies.put(name, new CageCopy(name, rpc.localAddress(), "1.0.0", Set.of("version"), 0));
        }
        client = new RpcClient(SETTINGS);
    }

    @AfterEach
    void stop() {
        client.close();
        hosts.forEach(Host::close);
    }

    private CallRouter router(CopyFinder finder, RouterSettings settings) {
        return new CallRouter(client, finder, settings);
    }

    private static OutboundCall call(String operation, Map<String, Object> params) {
        return new OutboundCall("caller", "trace-1", "svc", operation, params, null, null, Deadline.afterMillis(5_000));
    }

    private static CageException failureOf(CompletableFuture<RemoteReply> call) throws Exception {
        try {
            throw new AssertionError("expected a failure, got " + call.get(10, TimeUnit.SECONDS));
        } catch (ExecutionException e) {
            return (CageException) e.getCause();
        }
    }

    @Test
    void callsAreSpreadOverAllCopies() throws Exception {
        CallRouter router = router(cage -> List.copyOf(copies.values()), RouterSettings.defaults());
        Map<String, AtomicInteger> byHost = new HashMap<>();
        List<CompletableFuture<RemoteReply>> calls = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            calls.add(router.call(call("version", Map.of())));
        }
        for (CompletableFuture<RemoteReply> c : calls) {
            byHost.computeIfAbsent(c.get(10, TimeUnit.SECONDS).host(), h -> new AtomicInteger()).incrementAndGet();
        }
        assertEquals(Set.of("h1", "h2", "h3"), byHost.keySet());
        for (AtomicInteger share : byHost.values()) {
            assertTrue(share.get() >= 100, "every copy serves a fair share: " + byHost);
        }
    }

    @Test
    void aCopyThatIsGoneIsFailedOverWithNoFailedCall() throws Exception {
        CallRouter router = router(cage -> List.copyOf(copies.values()), RouterSettings.defaults());
        hosts.get(1).close(); // h2 refuses connections from now on; the directory still lists it
        int failures = 0;
        Map<String, AtomicInteger> byHost = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            try {
                RemoteReply reply = router.call(call("version", Map.of())).get(10, TimeUnit.SECONDS);
                byHost.computeIfAbsent(reply.host(), h -> new AtomicInteger()).incrementAndGet();
            } catch (ExecutionException e) {
                failures++;
            }
        }
        assertEquals(0, failures);
        assertEquals(Set.of("h1", "h3"), byHost.keySet());
        assertTrue(router.retriesInWindow() <= 3, "the dead copy is ejected after its first failure: " + router.retriesInWindow() + " retries");
    }

    @Test
    void aNonIdempotentCallWhoseConnectionDiesIsNotRetriedAndSaysSo() throws Exception {
        try (ServerSocket blackHole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> swallowThenReset(blackHole));
            CageCopy doomed = new CageCopy("doomed", (InetSocketAddress) blackHole.getLocalSocketAddress(), "1.0.0", Set.of("version"), 0);
            CallRouter router = router(cage -> List.of(doomed, copies.get("h1")), RouterSettings.defaults());
            // 'sleep' is not idempotent: once delivered, a lost connection must not lead to a second run.
            CageException e = null;
            for (int i = 0; i < 20 && e == null; i++) {
                try {
                    router.call(call("sleep", Map.of("ms", "1"))).get(10, TimeUnit.SECONDS);
                } catch (ExecutionException failed) {
                    e = (CageException) failed.getCause();
                }
            }
            assertTrue(e != null, "some call picked the doomed copy first");
            assertEquals(ErrorCode.UNAVAILABLE, e.code());
            assertTrue(e.getMessage().contains("may or may not have run") && e.getMessage().contains("not declared idempotent"), e.getMessage());
        }
    }

    @Test
    void callsInFlightToAHostTheDirectoryDropsEndAtOnce() throws Exception {
        // The client's heartbeat would wait a minute and the calls' deadline is 30 s: within the 5 s this test
        // allows, only hostLeft can end the calls held by the silent copy.
        try (SilentPeer silent = new SilentPeer(); RpcClient patient = new RpcClient(SETTINGS.withHeartbeat(1_000, 60_000))) {
            CageCopy cutOff = new CageCopy("cut", silent.address(), "1.0.0", Set.of("version"), 0);
            AtomicReference<List<CageCopy>> directory = new AtomicReference<>(List.of(cutOff));
            CallRouter router = new CallRouter(patient, cage -> directory.get(), RouterSettings.defaults());
            List<CompletableFuture<RemoteReply>> idempotent = new ArrayList<>();
            List<CompletableFuture<RemoteReply>> notIdempotent = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                idempotent.add(router.call(new OutboundCall("caller", "t", "svc", "version", Map.of(), null, null, Deadline.afterMillis(30_000))));
            }
            for (int i = 0; i < 2; i++) {
                notIdempotent.add(router.call(new OutboundCall("caller", "t", "svc", "sleep", Map.of("ms", "1"), null, null,
                        Deadline.afterMillis(30_000))));
            }
            Await.until("the cut-off copy holds all six calls", Duration.ofSeconds(10), () -> silent.requests() == 6);

            long droppedAt = System.nanoTime();
            directory.set(List.of(copies.get("h1"), copies.get("h2"))); // what the directory lists from now on
            router.hostLeft("cut", silent.address());

            for (CompletableFuture<RemoteReply> call : idempotent) {
                assertTrue(Set.of("h1", "h2").contains(call.get(5, TimeUnit.SECONDS).host()), "answered by another copy");
            }
            for (CompletableFuture<RemoteReply> call : notIdempotent) {
                CageException e = failureOf(call);
                assertEquals(ErrorCode.UNAVAILABLE, e.code());
                assertTrue(e.getMessage().contains("on host 'cut'") && e.getMessage().contains("may or may not have run")
                        && e.getMessage().contains("not declared idempotent"), e.getMessage());
            }
            long tookMs = (System.nanoTime() - droppedAt) / 1_000_000;
            assertTrue(tookMs < 5_000, "ended at the drop, not by the 60 s idle timeout or the 30 s deadline: " + tookMs + " ms");
            assertEquals(0, Probe.get("svc.sleep"), "the non-idempotent calls ran nowhere else");
            assertEquals(6, silent.requests(), "nothing more was sent to the dropped host");
            assertEquals(0, patient.openConnections(silent.address()), "its connections are closed");
            System.out.printf("router: 4 idempotent calls in flight to a dropped host answered elsewhere and 2 others failed clearly,"
                    + " %d ms after the drop%n", tookMs);
        }
    }

    @Test
    void aDurableCallWhoseConnectionDiesGoesToAnotherCopyEvenIfNotIdempotent() throws Exception {
        try (SilentPeer silent = new SilentPeer(); RpcClient patient = new RpcClient(SETTINGS.withHeartbeat(1_000, 60_000))) {
            CageCopy cutOff = new CageCopy("cut", silent.address(), "1.0.0", Set.of("version"), 0);
            AtomicReference<List<CageCopy>> directory = new AtomicReference<>(List.of(cutOff));
            CallRouter router = new CallRouter(patient, cage -> directory.get(), RouterSettings.defaults());
            List<CompletableFuture<RemoteReply>> durable = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                durable.add(router.call(new OutboundCall("caller", "t", "svc", "sleep", Map.of("ms", "1"), null, null,
                        Deadline.afterMillis(30_000), "key-" + i)));
            }
            Await.until("the cut-off copy holds the three calls", Duration.ofSeconds(10), () -> silent.requests() == 3);
            directory.set(List.of(copies.get("h1"), copies.get("h2")));
            router.hostLeft("cut", silent.address());

            for (CompletableFuture<RemoteReply> call : durable) {
                // These hosts have no resource provider, so no inbox: the answer is their refusal to run a keyed call,
                // which shows both that the call went on to them and that its key arrived with it.
                CageException e = failureOf(call);
                assertEquals(ErrorCode.UNAVAILABLE, e.code());
                assertTrue(e.getMessage().matches("cage 'svc' operation 'sleep' on host 'h[12]': .*cannot use 'durable calls'"),
                        e.getMessage());
            }
            assertEquals(0, Probe.get("svc.sleep"), "no copy ran the handler without its inbox");
        }
    }

    @Test
    void aDurableCallToACageThatRunsNowhereWaitsInsteadOfFailing() throws Exception {
        OutboundCall durable = new OutboundCall("caller", "t", "svc", "version", Map.of(), null, null, Deadline.afterMillis(5_000), "k");
        CageException e = failureOf(router(cage -> List.of(), RouterSettings.defaults()).call(durable));
        assertEquals(ErrorCode.UNAVAILABLE, e.code(), "not NOT_FOUND, which would end the durable call");
        assertEquals("no host of the flock runs cage 'svc' now; not executed", e.getMessage());
    }

    @Test
    void retriesStopWhenTheBudgetIsSpent() throws Exception {
        InetSocketAddress nowhere = new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort());
        CageCopy dead1 = new CageCopy("dead1", nowhere, "1.0.0", Set.of(), 0);
        CageCopy dead2 = new CageCopy("dead2", nowhere, "1.0.0", Set.of(), 0);
        CallRouter router = router(cage -> List.of(dead1, dead2), new RouterSettings(0.1, 0, 10_000, 0, 3));
        CageException e = failureOf(router.call(call("version", Map.of())));
        assertTrue(e.getMessage().contains("retry budget"), e.getMessage());
    }

    @Test
    void noCopyAnywhereIsNotFound() throws Exception {
        CageException e = failureOf(router(cage -> List.of(), RouterSettings.defaults()).call(call("version", Map.of())));
        assertEquals(ErrorCode.NOT_FOUND, e.code());
        assertEquals("no host of the flock runs cage 'svc'", e.getMessage());
    }

    @Test
    void calleeErrorsAreAnswersNotRetries() throws Exception {
        CallRouter router = router(cage -> List.copyOf(copies.values()), RouterSettings.defaults());
        CageException e = failureOf(router.call(call("fail", Map.of())));
        assertEquals(ErrorCode.INTERNAL, e.code());
        assertTrue(e.getMessage().startsWith("cage 'svc' operation 'fail' on host 'h"), e.getMessage());
        assertEquals(1, Probe.get("svc.fail"), "ran once, not retried elsewhere");
    }

    /** Accepts connections, reads the request, then resets: a call delivered and then lost. */
    private static void swallowThenReset(ServerSocket server) {
        while (!server.isClosed()) {
            try (Socket socket = server.accept()) {
                InputStream in = socket.getInputStream();
                in.read(new byte[4096]);
                socket.setSoLinger(true, 0);
            } catch (Exception closed) {
                return;
            }
        }
    }

    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
