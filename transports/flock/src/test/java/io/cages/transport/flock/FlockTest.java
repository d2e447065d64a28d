package io.cages.transport.flock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.api.ErrorCode;
import io.cages.transport.flock.internal.Introspect;
import io.cages.host.spi.Dispatcher;
import io.cages.host.admin.FlockMember;
import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.Reply;
import io.cages.host.testing.Await;
import io.cages.host.testing.Ports;
import io.cages.host.testing.Probe;
import io.cages.host.testing.TestCages;
import io.cages.testcages.VersionCage;
import io.cages.testcages.caller.CallerCage;
import io.cages.transport.rpc.internal.SilentPeer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three hosts in one JVM forming a flock over TCP on loopback (static discovery): calls by name reach the
 * other hosts, balanced; deadlines cross hops; a host that leaves stops being called.
 */
class FlockTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    final List<Host> hosts = new ArrayList<>();
    int[] ports;
    String flockName;

    @BeforeEach
    void start() throws Exception {
        Probe.reset();
        String flock = "test-" + UUID.randomUUID();
        ports = new int[] {Ports.free(), Ports.free(), Ports.free(), Ports.free()};
        flockName = flock;
        byte[] svc = TestCages.withHeader(TestCages.build("svc", "1.0.0", VersionCage.class), "Cage-Idempotent", "version");
        byte[] caller = TestCages.build("caller", "1.0.0", CallerCage.class);
        byte[] hop = TestCages.build("hop", "1.0.0", CallerCage.class);
        for (int i = 0; i < 3; i++) {
            String name = "h" + (i + 1);
            // A minute of RPC idle timeout: a call to a silent host can then end quickly only because the
            // directory dropped that host (callsInFlightToAHostThatLeavesTheDirectoryEndAtOnce).
            ObjectNode section = JSON.createObjectNode().put("name", flock).put("discovery", "static")
                    .put("bind", "127.0.0.1").put("port", ports[i]).put("rpcPort", 0).put("publishMs", 100)
                    .put("rpcIdleTimeoutMs", 60_000);
            for (int j = 0; j < 3; j++) {
                if (j != i) {
                    section.withArray("hosts").add("127.0.0.1:" + ports[j]);
                }
            }
            HostConfig config = HostConfig.defaults().withName(name).withWorkDir(dir.resolve(name))
                    .withCageConfigDir(dir.resolve("configs")).withTransport("flock", section);
            Host host = Host.start(config, List.of(new FlockTransport()));
            hosts.add(host);
        }
        // A host of another flock, pointed at the same hosts and running svc too: it must never be called.
        ObjectNode stranger = JSON.createObjectNode().put("name", "other-" + flock).put("discovery", "static")
                .put("bind", "127.0.0.1").put("port", ports[3]).put("rpcPort", 0).put("publishMs", 100);
        for (int j = 0; j < 3; j++) {
            stranger.withArray("hosts").add("127.0.0.1:" + ports[j]);
        }
        Host outsider = Host.start(HostConfig.defaults().withName("x4").withWorkDir(dir.resolve("x4"))
                .withCageConfigDir(dir.resolve("configs")).withTransport("flock", stranger), List.of(new FlockTransport()));
        hosts.add(outsider);
        outsider.admin().deploy(svc, "test");
        hosts.get(0).admin().deploy(caller, "test");
        hosts.get(1).admin().deploy(hop, "test");
        hosts.get(1).admin().deploy(svc, "test");
        hosts.get(2).admin().deploy(svc, "test");
        Await.until("h1 sees svc on h2 and h3", Duration.ofSeconds(20), () -> hostsRunning(hosts.get(0), "svc").equals(Set.of("h2", "h3")));
    }

    @AfterEach
    void stop() {
        hosts.forEach(Host::close);
    }

    private static Set<String> hostsRunning(Host host, String cage) {
        Set<String> names = new java.util.TreeSet<>();
        for (FlockMember member : host.admin().flock()) {
            if (member.cages().stream().anyMatch(c -> c.startsWith(cage + "@"))) {
                names.add(member.name());
            }
        }
        return names;
    }

    private CompletableFuture<Reply> relay(Map<String, Object> params, Deadline deadline) {
        Dispatcher d = hosts.get(0).dispatcher();
        return d.dispatch(new InboundRequest(d.newRequestId(), "caller", "relay", params, null, null, null, "test", deadline));
    }

    @Test
    void callsByNameAreSpreadOverTheOtherHostsCopies() throws Exception {
        Map<String, AtomicInteger> byHost = new HashMap<>();
        List<CompletableFuture<Reply>> calls = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            calls.add(relay(Map.of("target", "svc", "op", "version"), null));
        }
        for (CompletableFuture<Reply> call : calls) {
            JsonNode answer = call.get(20, TimeUnit.SECONDS).value();
            assertEquals("1.0.0", answer.path("value").path("version").asText());
            byHost.computeIfAbsent(answer.path("host").asText(), h -> new AtomicInteger()).incrementAndGet();
        }
        assertEquals(Set.of("h2", "h3"), byHost.keySet(), "never the host of another flock");
        byHost.values().forEach(n -> assertTrue(n.get() >= 40, "both copies serve a share: " + byHost));
    }

    @Test
    void aDeadlineCrossesEveryHopAndEndsTheChainOnTime() throws Exception {
        // test -> caller (h1) -> hop (h2) -> svc (h2 or h3) sleeping 5 s; the caller gave 600 ms.
        long started = System.nanoTime();
        CompletableFuture<Reply> chain = relay(Map.of("target", "hop", "op", "relay", "nextTarget", "svc", "nextOp", "sleep", "ms", "5000"),
                Deadline.afterMillis(600));
        CageException e = failureOf(chain);
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertEquals(ErrorCode.DEADLINE_EXCEEDED, e.code());
        assertTrue(tookMs >= 550 && tookMs < 2_500, "answered at the deadline: " + tookMs + " ms");
        Await.until("the last hop gave up too", Duration.ofSeconds(10),
                () -> hosts.stream().allMatch(h -> h.admin().cages().stream().allMatch(c -> c.running() == 0)));
        assertEquals(0, Probe.get("svc.sleep.done"), "no hop finished its work after the deadline");
    }

    @Test
    void aHostThatLeavesIsNoLongerCalled() throws Exception {
        long started = System.nanoTime();
        hosts.get(2).close();
        Await.until("h3 leaves h1's directory", Duration.ofSeconds(3), () -> hostsRunning(hosts.get(0), "svc").equals(Set.of("h2")));
        System.out.printf("h3 left h1's directory %d ms after it closed%n", (System.nanoTime() - started) / 1_000_000);
        for (int i = 0; i < 50; i++) {
            assertEquals("h2", relay(Map.of("target", "svc", "op", "version"), null).get(10, TimeUnit.SECONDS).value().path("host").asText());
        }
    }

    @Test
    void callsInFlightToAHostThatLeavesTheDirectoryEndAtOnce() throws Exception {
        // A member whose RPC listener reads calls and never answers: a host cut off mid-call, as h1 sees it.
        try (SilentPeer silent = new SilentPeer()) {
            FlockSettings settings = FlockSettings.from(JSON.createObjectNode().put("name", flockName).put("discovery", "static")
                    .put("bind", "127.0.0.1").put("port", Ports.free())
                    .set("hosts", JSON.createArrayNode().add("127.0.0.1:" + ports[0]).add("127.0.0.1:" + ports[1]).add("127.0.0.1:" + ports[2])));
            AutoCloseable ghost = Introspect.joinAs(settings, "ghost", silent.address().getPort(), "svc", "1.0.0", List.of("version"));
            try {
                Await.until("h1 sees svc on the ghost", Duration.ofSeconds(20),
                        () -> hostsRunning(hosts.get(0), "svc").equals(Set.of("h2", "h3", "ghost")));
                // 'version' is idempotent on every copy, 'deadline' on none. Batches until the ghost holds both
                // kinds (the router picks copies at random); the calls' deadline is 30 s, h1's RPC idle timeout 60 s.
                List<CompletableFuture<Reply>> idempotent = new ArrayList<>();
                List<CompletableFuture<Reply>> notIdempotent = new ArrayList<>();
                for (int batch = 0; batch < 10 && (silent.requests("version") == 0 || silent.requests("deadline") == 0); batch++) {
                    for (int i = 0; i < 6; i++) {
                        notIdempotent.add(relay(Map.of("target", "svc", "op", "deadline"), Deadline.afterMillis(30_000)));
                        idempotent.add(relay(Map.of("target", "svc", "op", "version"), Deadline.afterMillis(30_000)));
                    }
                    Await.until("the batch reached the copies", Duration.ofSeconds(10),
                            () -> silent.requests("version") + Probe.get("svc.version") == idempotent.size()
                                    && silent.requests("deadline") + Probe.get("svc.deadline") == notIdempotent.size());
                }
                int heldIdempotent = silent.requests("version");
                int heldOthers = silent.requests("deadline");
                assertTrue(heldIdempotent > 0 && heldOthers > 0, "the ghost holds calls of both kinds");

                long leftAt = System.nanoTime();
                ghost.close();
                for (CompletableFuture<Reply> call : idempotent) {
                    assertTrue(Set.of("h2", "h3").contains(call.get(5, TimeUnit.SECONDS).value().path("host").asText()), "answered by a real copy");
                }
                int clearFailures = 0;
                for (CompletableFuture<Reply> call : notIdempotent) {
                    try {
                        call.get(5, TimeUnit.SECONDS);
                    } catch (ExecutionException failed) {
                        CageException e = (CageException) failed.getCause();
                        assertEquals(ErrorCode.UNAVAILABLE, e.code(), e.getMessage());
                        assertTrue(e.getMessage().contains("on host 'ghost'") && e.getMessage().contains("may or may not have run"), e.getMessage());
                        clearFailures++;
                    }
                }
                long tookMs = (System.nanoTime() - leftAt) / 1_000_000;
                assertEquals(heldOthers, clearFailures, "exactly the non-idempotent calls the ghost held failed, each clearly");
                assertEquals(notIdempotent.size() - heldOthers, Probe.get("svc.deadline"), "the others ran once each");
                assertEquals(idempotent.size(), Probe.get("svc.version"), "every idempotent call ran once on a real copy");
                assertTrue(tookMs < 5_000, "ended when the ghost left, not by the 30 s deadline or the 60 s idle timeout: " + tookMs + " ms");
                System.out.printf("flock: the ghost held %d idempotent and %d other calls when it left; %d ms later the first were"
                        + " answered by h2/h3 and the others had failed clearly%n", heldIdempotent, heldOthers, tookMs);
            } finally {
                ghost.close();
            }
        }
    }

    @Test
    void flockListsEveryHostWithItsCages() {
        List<FlockMember> members = hosts.get(1).admin().flock();
        assertEquals(Set.of("h1", "h2", "h3"), members.stream().map(FlockMember::name).collect(java.util.stream.Collectors.toSet()),
                "the host of another flock is not listed");
        FlockMember self = members.stream().filter(FlockMember::self).findFirst().orElseThrow();
        assertEquals("h2", self.name());
        assertTrue(self.cages().containsAll(List.of("svc@1.0.0", "hop@1.0.0")), self.toString());
    }

    @Test
    void garbageOnTheChannelIsIgnoredAndTheSenderNeverListed() throws Exception {
        int port = Ports.free();
        FlockSettings settings = FlockSettings.from(JSON.createObjectNode().put("name", flockName).put("discovery", "static")
                .put("bind", "127.0.0.1").put("port", port)
                .set("hosts", JSON.createArrayNode().add("127.0.0.1:" + ports[0]).add("127.0.0.1:" + ports[1])));
        try (org.jgroups.JChannel vandal = new org.jgroups.JChannel(new java.io.ByteArrayInputStream(
                Introspect.jgroupsXml(settings).getBytes(java.nio.charset.StandardCharsets.UTF_8)))) {
            vandal.setName("vandal");
            vandal.connect(flockName);
            for (int i = 0; i < 100; i++) {
                vandal.send(new org.jgroups.BytesMessage(null, ("{not json " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            }
            vandal.send(new org.jgroups.BytesMessage(null, new byte[] {0, 1, 2, 3}));
            Await.until("the vandal is in the JGroups view", Duration.ofSeconds(10), () -> vandal.getView().size() >= 4);
            assertEquals(Set.of("h2", "h3"), hostsRunning(hosts.get(0), "svc"));
            assertTrue(hosts.get(0).admin().flock().stream().noneMatch(m -> m.name().equals("vandal")), "never listed without its info");
            assertEquals("1.0.0", relay(Map.of("target", "svc", "op", "version"), null).get(10, TimeUnit.SECONDS)
                    .value().path("value").path("version").asText(), "calls still work");
        }
    }

    private static CageException failureOf(CompletableFuture<Reply> call) throws Exception {
        try {
            throw new AssertionError("expected a failure, got " + call.get(20, TimeUnit.SECONDS));
        } catch (ExecutionException e) {
            return (CageException) e.getCause();
        }
    }

}
