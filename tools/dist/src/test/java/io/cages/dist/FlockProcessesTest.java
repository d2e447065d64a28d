package io.cages.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cages.host.testing.Await;
import io.cages.host.testing.TestCages;
import io.cages.testcages.caller.CallerCage;
import io.cages.testcages.ledger.LedgerCage;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four hosts, each its own JVM, in one flock on loopback (static discovery over TCP). h1 runs the gateway;
 * h2, h3 and h4 run hello, greeter and a ledger. Under continuous load through h1: calls are balanced over
 * the three copies, hello is updated live on h2, then h3 is killed with kill -9.
 *
 * <p>The load runs on raw keep-alive sockets that never resend a request, so a call h1 dropped cannot pass
 * as a success. The slow non-idempotent ledger calls are counted on the hosts: each ledger notes a call as
 * started on entry, so the calls in flight on h3 are read from h3 just before the kill, and must be exactly
 * the calls whose callers got the clear "may or may not have run" failure.
 */
class FlockProcessesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CLIENTS = 8;

    @TempDir
    Path dir;
    final List<HostProcess> hosts = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        String flock = "procs-" + UUID.randomUUID();
        int[] ports = {HostProcess.freePort(), HostProcess.freePort(), HostProcess.freePort(), HostProcess.freePort()};
        byte[] ledger = TestCages.build("ledger", "1.0.0", LedgerCage.class);
        byte[] caller = TestCages.build("caller", "1.0.0", CallerCage.class);
        for (int i = 0; i < 4; i++) {
            ObjectNode section = JSON.createObjectNode().put("name", flock).put("discovery", "static")
                    .put("bind", "127.0.0.1").put("port", ports[i]).put("rpcPort", 0).put("publishMs", 100);
            for (int j = 0; j < 4; j++) {
                if (j != i) {
                    section.withArray("hosts").add("127.0.0.1:" + ports[j]);
                }
            }
            ObjectNode transports = JSON.createObjectNode();
            transports.set("flock", section);
            Map<String, byte[]> cages = i == 0
                    ? Map.of("gateway", RunningHost.example("gateway"), "caller", caller)
                    : Map.of("hello", RunningHost.example("hello"), "greeter", RunningHost.example("greeter"), "ledger", ledger);
            hosts.add(HostProcess.start("h" + (i + 1), dir.resolve("h" + (i + 1)), cages, transports, List.of()));
        }
        Await.until("h1 sees hello on h2, h3 and h4", Duration.ofSeconds(30),
                () -> hosts.get(0).flockRunning("hello").equals(Set.of("h2", "h3", "h4")));
    }

    @AfterEach
    void stop() throws Exception {
        for (HostProcess host : hosts) {
            host.close();
        }
    }

    @Test
    void balancedThenUpdatedLiveThenKillNineDropsNoIdempotentCallAndRunsNoCallTwice() throws Exception {
        HostProcess h1 = hosts.get(0);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong ok = new AtomicLong();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        Map<String, AtomicLong> helloByHost = new ConcurrentHashMap<>();
        Map<String, AtomicLong> helloByVersion = new ConcurrentHashMap<>();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            String name = "c" + c;
            clients.add(Thread.ofPlatform().name("load-" + name).start(() -> {
                try (KeepAliveClient http = new KeepAliveClient(h1.address, h1.httpPort, Duration.ofSeconds(20))) {
                    while (!stop.get()) {
                        try {
                            KeepAliveClient.Response response = http.get("/gateway/welcome?name=" + name);
                            JsonNode body = response.json();
                            if (response.status() != 200 || !body.path("hello").path("answer").path("greeting").asText().equals("Hello, " + name + "!")) {
                                failures.add(response.toString());
                                continue;
                            }
                            ok.incrementAndGet();
                            helloByHost.computeIfAbsent(body.path("hello").path("host").asText(), h -> new AtomicLong()).incrementAndGet();
                            helloByVersion.computeIfAbsent(body.path("hello").path("version").asText(), v -> new AtomicLong()).incrementAndGet();
                        } catch (Exception e) {
                            failures.add(e.toString());
                        }
                    }
                }
            }));
        }
        try {
            // 1. Balanced: every copy serves a share.
            Await.until("600 calls", Duration.ofSeconds(60), () -> ok.get() >= 600 || !failures.isEmpty());
            for (String host : List.of("h2", "h3", "h4")) {
                long served = helloByHost.getOrDefault(host, new AtomicLong()).get();
                assertTrue(served >= ok.get() / 10, "copy on " + host + " served a share: " + helloByHost);
            }

            // 2. Live updates of the callee on h2 while the load goes on.
            byte[] v100 = RunningHost.example("hello");
            byte[] v101 = TestCages.withHeader(v100, "Bundle-Version", "1.0.1");
            for (int update = 1; update <= 6; update++) {
                long before = ok.get();
                HttpResponse<String> deployed = hosts.get(1).deploy(update % 2 == 1 ? v101 : v100);
                assertEquals(200, deployed.statusCode(), deployed.body());
                Await.until("progress after update " + update, Duration.ofSeconds(30), () -> ok.get() >= before + 100 || !failures.isEmpty());
            }
            assertTrue(helloByVersion.containsKey("1.0.1"), "the updated version answered: " + helloByVersion);

            // 3. Non-idempotent calls in flight, then kill -9 of h3.
            // Batches of six slow bookings until h3 has some in hand (the router picks copies at random, so
            // a batch may miss it); the calls run 8 s, far longer than the batches take.
            Map<String, CompletableFuture<KeepAliveClient.Response>> ledgerCalls = new LinkedHashMap<>();
            for (int batch = 0; batch < 10 && running(hosts.get(2), "ledger") == 0; batch++) {
                for (int i = 0; i < 6; i++) {
                    String id = "L" + batch + "-" + i;
                    ledgerCalls.put(id, call(h1, "/caller/relay?target=ledger&op=record&ms=8000&id=" + id));
                }
                int sent = ledgerCalls.size();
                Await.until("batch reaches the ledgers", Duration.ofSeconds(10),
                        () -> running(hosts.get(1), "ledger") + running(hosts.get(2), "ledger") + running(hosts.get(3), "ledger") >= sent);
            }
            assertTrue(running(hosts.get(2), "ledger") > 0, "h3 is running ledger calls");
            // Every call sent is running on some ledger, none has finished (8 s), and none is ever sent again:
            // what h3 has started and not booked now is exactly what the kill cuts off.
            Ledger onH3 = ledger(hosts.get(2));
            assertEquals(List.of(), onH3.booked(), "no ledger call finished on h3 before the kill");
            Set<String> inFlightOnH3 = new TreeSet<>(onH3.started());
            assertEquals(onH3.started().size(), inFlightOnH3.size(), "no call started twice on h3: " + onH3.started());
            assertTrue(!inFlightOnH3.isEmpty(), "some ledger calls are in flight on h3 when it dies");
            long okBeforeKill = ok.get();
            long killedAt = System.nanoTime();
            hosts.get(2).kill();
            Await.until("h3 leaves h1's directory", Duration.ofSeconds(10), () -> !h1.flockMembers().contains("h3"));
            long leftMs = (System.nanoTime() - killedAt) / 1_000_000;
            Await.until("the load goes on after the kill", Duration.ofSeconds(30), () -> ok.get() >= okBeforeKill + 400 || !failures.isEmpty());
            stop.set(true);
            for (Thread t : clients) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }

            assertEquals(List.of(), List.copyOf(failures), "no idempotent call failed, through swaps and the kill");
            assertTrue(leftMs < 3_000, "the killed host left the directory within 3 s: " + leftMs + " ms");

            Set<String> answered = new TreeSet<>();
            Set<String> clearlyFailed = new TreeSet<>();
            for (Map.Entry<String, CompletableFuture<KeepAliveClient.Response>> call : ledgerCalls.entrySet()) {
                KeepAliveClient.Response response = call.getValue().get(40, TimeUnit.SECONDS);
                if (response.status() == 200) {
                    assertEquals(call.getKey(), response.json().path("value").path("booked").asText(), response.toString());
                    answered.add(call.getKey());
                } else {
                    assertEquals(503, response.status(), response.toString());
                    assertTrue(response.body().contains("may or may not have run") && response.body().contains("not declared idempotent"),
                            response.body());
                    clearlyFailed.add(call.getKey());
                }
            }
            assertEquals(inFlightOnH3, clearlyFailed,
                    "the calls in flight on h3 at the kill, and only they, failed with 'may or may not have run'");
            List<String> startedBySurvivors = new ArrayList<>();
            List<String> bookedBySurvivors = new ArrayList<>();
            for (HostProcess survivor : List.of(hosts.get(1), hosts.get(3))) {
                Ledger seen = ledger(survivor);
                startedBySurvivors.addAll(seen.started());
                bookedBySurvivors.addAll(seen.booked());
            }
            assertEquals(answered, new TreeSet<>(bookedBySurvivors), "survivors booked exactly the calls that succeeded");
            assertEquals(bookedBySurvivors.size(), new HashSet<>(bookedBySurvivors).size(), "no call was booked twice");
            assertEquals(new TreeSet<>(bookedBySurvivors), new TreeSet<>(startedBySurvivors), "every call a survivor started, it finished");
            List<String> startedAnywhere = new ArrayList<>(startedBySurvivors);
            startedAnywhere.addAll(onH3.started());
            assertEquals(startedAnywhere.size(), new HashSet<>(startedAnywhere).size(),
                    "no call ran twice: not on one host, not on h3 and then again on a survivor: " + startedAnywhere);
            assertEquals(ledgerCalls.keySet(), new HashSet<>(startedAnywhere), "every ledger call sent ran on exactly one host");
            System.out.printf("flock of 4 JVMs: %d gateway calls ok, 0 failed; hello by host %s, by version %s; h3 left h1's directory %d ms"
                    + " after kill -9; %d ledger calls sent, %d in flight on h3 at the kill (counted there) = %d failed clearly,"
                    + " %d ran once on survivors%n",
                    ok.get(), helloByHost, helloByVersion, leftMs, ledgerCalls.size(), inFlightOnH3.size(), clearlyFailed.size(),
                    answered.size());
        } finally {
            stop.set(true);
            clients.forEach(Thread::interrupt);
        }
    }

    /** What a host's ledger copy started and booked, in order. */
    private record Ledger(List<String> started, List<String> booked) {
    }

    private static Ledger ledger(HostProcess host) throws Exception {
        try (KeepAliveClient http = new KeepAliveClient(host.address, host.httpPort, Duration.ofSeconds(10))) {
            KeepAliveClient.Response response = http.get("/ledger/seen");
            assertEquals(200, response.status(), host.name + ": " + response);
            List<String> started = new ArrayList<>();
            List<String> booked = new ArrayList<>();
            response.json().path("started").forEach(id -> started.add(id.asText()));
            response.json().path("booked").forEach(id -> booked.add(id.asText()));
            return new Ledger(started, booked);
        }
    }

    /** One request on a connection of its own, answered on a virtual thread: never sent twice. */
    private static CompletableFuture<KeepAliveClient.Response> call(HostProcess host, String target) {
        CompletableFuture<KeepAliveClient.Response> future = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (KeepAliveClient http = new KeepAliveClient(host.address, host.httpPort, Duration.ofSeconds(30))) {
                future.complete(http.get(target));
            } catch (Exception e) {
                future.completeExceptionally(e);
            }
        });
        return future;
    }

    private static int running(HostProcess host, String cage) {
        try {
            for (JsonNode c : host.adminArray("/cages")) {
                if (c.path("name").asText().equals(cage)) {
                    return c.path("running").asInt();
                }
            }
            return 0;
        } catch (Exception e) {
            throw new AssertionError("cannot read " + host.name + "'s cages", e);
        }
    }
}
