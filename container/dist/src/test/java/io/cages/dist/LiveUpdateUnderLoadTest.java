package io.cages.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cages.host.testing.TestCages;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The central promise: a cage updated live under load drops nothing. The built {@code hello} jar and a
 * second build of it (same code, Bundle-Version 1.0.1, so it answers with another version) are deployed in
 * turn through the admin HTTP API while client threads call {@code /hello/greet} without pause.
 */
class LiveUpdateUnderLoadTest {

    private static final int CLIENTS = 8;
    private static final int UPDATES = 24;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void twentyFourUpdatesUnderEightClientsDropNothing() throws Exception {
        byte[] v100 = RunningHost.example("hello");
        byte[] v101 = TestCages.withHeader(v100, "Bundle-Version", "1.0.1");
        try (RunningHost running = new RunningHost(RunningHost.configIn(dir))) {
            assertEquals(200, running.deploy(v100).statusCode());
            assertEquals(200, running.get("/hello/greet?name=Ada").statusCode());

            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong ok = new AtomicLong();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            Map<String, AtomicLong> answersByVersion = new ConcurrentHashMap<>();
            CountDownLatch clientsDone = new CountDownLatch(CLIENTS);
            List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                String name = "client-" + i;
                clients.add(Thread.ofPlatform().name(name).start(() -> {
                    try {
                        while (!stop.get()) {
                            try {
                                HttpResponse<String> response = running.get("/hello/greet?name=" + name);
                                JsonNode body = JSON.readTree(response.body());
                                if (response.statusCode() != 200 || !body.path("greeting").asText().equals("Hello, " + name + "!")) {
                                    failures.add(response.statusCode() + " " + response.body());
                                } else {
                                    ok.incrementAndGet();
                                    answersByVersion.computeIfAbsent(body.path("version").asText(), v -> new AtomicLong()).incrementAndGet();
                                }
                            } catch (Exception e) {
                                failures.add(e.toString());
                            }
                        }
                    } finally {
                        clientsDone.countDown();
                    }
                }));
            }

            List<Long> swapMillis = new ArrayList<>();
            for (int update = 1; update <= UPDATES; update++) {
                long callsBefore = ok.get();
                HttpResponse<String> deployed = running.deploy(update % 2 == 1 ? v101 : v100);
                assertEquals(200, deployed.statusCode(), deployed.body());
                swapMillis.add(JSON.readTree(deployed.body()).path("durationMs").asLong());
                // Let the clients make progress on each version before the next swap.
                long target = callsBefore + CLIENTS * 25L;
                io.cages.host.testing.Await.until("clients progress after update " + update, Duration.ofSeconds(30),
                        () -> ok.get() >= target || !failures.isEmpty());
            }
            stop.set(true);
            assertTrue(clientsDone.await(60, java.util.concurrent.TimeUnit.SECONDS), "clients stopped");

            assertEquals(List.of(), List.copyOf(failures), "no request failed during " + UPDATES + " live updates");
            assertTrue(answersByVersion.containsKey("1.0.0") && answersByVersion.containsKey("1.0.1"),
                    "both builds answered: " + answersByVersion);
            assertTrue(running.host.awaitRetirements(Duration.ofSeconds(30)), "old versions retired");
            assertEquals(1, running.host.installedBundles(), "no leftover bundles: only the active hello remains");
            System.out.printf("live updates: %d swaps, %d calls ok, 0 failed, answers by version %s, swap ms %s%n",
                    UPDATES, ok.get(), answersByVersion, swapMillis);
            clients.forEach(Thread::interrupt);
        }
    }
}
