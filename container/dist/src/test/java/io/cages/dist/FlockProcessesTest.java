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
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 */
class FlockProcessesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CLIENTS = 8;

    @TempDir
    Path dir;
    final List<HostProcess> hosts = new ArrayList<>();
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

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
                () -> flockRunning(hosts.get(0), "hello").equals(Set.of("h2", "h3", "h4")));
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
                while (!stop.get()) {
                    try {
                        HttpResponse<String> response = client.send(HttpRequest.newBuilder(h1.http("/gateway/welcome?name=" + name))
                                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
                        JsonNode body = JSON.readTree(response.body());
                        if (response.statusCode() != 200 || !body.path("hello").path("answer").path("greeting").asText().equals("Hello, " + name + "!")) {
                            failures.add(response.statusCode() + " " + response.body());
                            continue;
                        }
                        ok.incrementAndGet();
                        helloByHost.computeIfAbsent(body.path("hello").path("host").asText(), h -> new AtomicLong()).incrementAndGet();
                        helloByVersion.computeIfAbsent(body.path("hello").path("version").asText(), v -> new AtomicLong()).incrementAndGet();
                    } catch (Exception e) {
                        failures.add(e.toString());
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
            List<CompletableFuture<HttpResponse<String>>> ledgerCalls = new ArrayList<>();
            for (int batch = 0; batch < 10 && running(hosts.get(2), "ledger") == 0; batch++) {
                for (int i = 0; i < 6; i++) {
                    String id = "L" + batch + "-" + i;
                    ledgerCalls.add(client.sendAsync(HttpRequest.newBuilder(h1.http("/caller/relay?target=ledger&op=record&ms=8000&id=" + id))
                            .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()));
                }
                int sent = ledgerCalls.size();
                Await.until("batch reaches the ledgers", Duration.ofSeconds(10),
                        () -> running(hosts.get(1), "ledger") + running(hosts.get(2), "ledger") + running(hosts.get(3), "ledger") >= sent);
            }
            assertTrue(running(hosts.get(2), "ledger") > 0, "h3 is running ledger calls");
            long okBeforeKill = ok.get();
            long killedAt = System.nanoTime();
            hosts.get(2).kill();
            Await.until("h3 leaves h1's directory", Duration.ofSeconds(10), () -> !flockMembers(h1).contains("h3"));
            long leftMs = (System.nanoTime() - killedAt) / 1_000_000;
            Await.until("the load goes on after the kill", Duration.ofSeconds(30), () -> ok.get() >= okBeforeKill + 400 || !failures.isEmpty());
            stop.set(true);
            for (Thread t : clients) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }

            assertEquals(List.of(), List.copyOf(failures), "no idempotent call failed, through swaps and the kill");
            assertTrue(leftMs < 3_000, "the killed host left the directory within 3 s: " + leftMs + " ms");

            Set<String> answered = new HashSet<>();
            int clearFailures = 0;
            for (CompletableFuture<HttpResponse<String>> call : ledgerCalls) {
                HttpResponse<String> response = call.get(30, TimeUnit.SECONDS);
                if (response.statusCode() == 200) {
                    answered.add(JSON.readTree(response.body()).path("value").path("booked").asText());
                } else {
                    assertEquals(503, response.statusCode(), response.body());
                    assertTrue(response.body().contains("may or may not have run") && response.body().contains("not declared idempotent"),
                            response.body());
                    clearFailures++;
                }
            }
            assertTrue(clearFailures > 0, "some ledger calls were in flight on h3 when it died");
            List<String> bookedBySurvivors = new ArrayList<>();
            for (HostProcess survivor : List.of(hosts.get(1), hosts.get(3))) {
                JsonNode seen = JSON.readTree(client.send(HttpRequest.newBuilder(survivor.http("/ledger/seen")).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
                seen.path("booked").forEach(id -> bookedBySurvivors.add(id.asText()));
            }
            assertEquals(answered, new HashSet<>(bookedBySurvivors), "survivors booked exactly the calls that succeeded");
            assertEquals(bookedBySurvivors.size(), new HashSet<>(bookedBySurvivors).size(), "no call was booked twice");
            System.out.printf("flock of 4 JVMs: %d gateway calls ok, 0 failed; hello by host %s, by version %s; h3 left h1's directory %d ms"
                    + " after kill -9; %d non-idempotent calls lost with h3 failed clearly, %d ran once on survivors%n",
                    ok.get(), helloByHost, helloByVersion, leftMs, clearFailures, answered.size());
        } finally {
            stop.set(true);
            clients.forEach(Thread::interrupt);
        }
    }

    private static Set<String> flockRunning(HostProcess host, String cage) {
        try {
            return host.flockRunning(cage);
        } catch (Exception e) {
            return Set.of();
        }
    }

    private static Set<String> flockMembers(HostProcess host) {
        try {
            return host.flockMembers();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static int running(HostProcess host, String cage) {
        try {
            for (JsonNode c : JSON.readTree(host.admin("/cages").body())) {
                if (c.path("name").asText().equals(cage)) {
                    return c.path("running").asInt();
                }
            }
            return 0;
        } catch (Exception e) {
            return 0;
        }
    }
}
