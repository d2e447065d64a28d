package io.cages.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cages.host.spi.Dispatcher;
import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.Reply;
import io.cages.host.testing.TestCages;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The central promise: a cage updated live under load drops nothing. The built {@code hello} jar and a
 * second build of it (same code, Bundle-Version 1.0.1, so it answers with another version) are deployed in
 * turn through the admin HTTP API while client threads call {@code /hello/greet} without pause.
 *
 * <p>Every request is accounted for on both sides. The clients are raw keep-alive sockets that never send a
 * request twice (a connection the host closes with a request outstanding is a failure, not a silent retry),
 * and each request carries a unique id, as its {@code X-Request-Id} and as the name the cage greets. The host
 * side counts what its dispatcher received (by id) and how many handler invocations it made: both must match
 * what the clients sent and saw answered, one for one.
 */
class LiveUpdateUnderLoadTest {

    private static final int CLIENTS = 8;
    private static final int UPDATES = 24;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** Counts, by request id, the requests the HTTP transport handed to the host's dispatcher. */
    private static final class Recorder {
        final Map<String, AtomicInteger> dispatched = new ConcurrentHashMap<>();
        volatile boolean on;

        Dispatcher around(Dispatcher host) {
            return new Dispatcher() {
                @Override
                public String newRequestId() {
                    return host.newRequestId();
                }

                @Override
                public CompletableFuture<Reply> dispatch(InboundRequest request) {
                    if (on) {
                        dispatched.computeIfAbsent(request.id(), id -> new AtomicInteger()).incrementAndGet();
                    }
                    return host.dispatch(request);
                }
            };
        }
    }

    @Test
    void twentyFourUpdatesUnderEightClientsDropNothing() throws Exception {
        byte[] v100 = RunningHost.example("hello");
        byte[] v101 = TestCages.withHeader(v100, "Bundle-Version", "1.0.1");
        Recorder recorder = new Recorder();
        try (RunningHost running = new RunningHost(RunningHost.configIn(dir), recorder::around)) {
            assertEquals(200, running.deploy(v100).statusCode());
            assertEquals(200, running.get("/hello/greet?name=Ada").statusCode());

            long executedBefore = running.host.executedRequests();
            recorder.on = true;
            AtomicBoolean stop = new AtomicBoolean();
            Set<String> sent = ConcurrentHashMap.newKeySet();
            Set<String> answered = ConcurrentHashMap.newKeySet();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            AtomicLong connections = new AtomicLong();
            Map<String, AtomicLong> answersByVersion = new ConcurrentHashMap<>();
            CountDownLatch clientsDone = new CountDownLatch(CLIENTS);
            for (int i = 0; i < CLIENTS; i++) {
                String client = "c" + i;
                Thread.ofPlatform().name("client-" + i).start(() -> {
                    try (KeepAliveClient http = new KeepAliveClient("127.0.0.1", running.http.port(), Duration.ofSeconds(30))) {
                        for (long n = 0; !stop.get(); n++) {
                            String id = client + "-" + n;
                            sent.add(id);
                            try {
                                KeepAliveClient.Response response = http.get("/hello/greet?name=" + id, "X-Request-Id", id);
                                JsonNode body = response.json();
                                if (response.status() != 200 || !body.path("greeting").asText().equals("Hello, " + id + "!")
                                        || !id.equals(response.header("x-request-id"))) {
                                    failures.add(id + ": " + response + " " + response.headers());
                                } else {
                                    answered.add(id);
                                    answersByVersion.computeIfAbsent(body.path("version").asText(), v -> new AtomicLong()).incrementAndGet();
                                }
                            } catch (Exception e) {
                                failures.add(id + ": " + e);
                            }
                        }
                        connections.addAndGet(http.connectionsOpened());
                    } finally {
                        clientsDone.countDown();
                    }
                });
            }

            List<Long> swapMillis = new ArrayList<>();
            for (int update = 1; update <= UPDATES; update++) {
                long callsBefore = answered.size();
                HttpResponse<String> deployed = running.deploy(update % 2 == 1 ? v101 : v100);
                assertEquals(200, deployed.statusCode(), deployed.body());
                swapMillis.add(JSON.readTree(deployed.body()).path("durationMs").asLong());
                // Let the clients make progress on each version before the next swap.
                long target = callsBefore + CLIENTS * 25L;
                io.cages.host.testing.Await.until("clients progress after update " + update, Duration.ofSeconds(30),
                        () -> answered.size() >= target || !failures.isEmpty());
            }
            stop.set(true);
            assertTrue(clientsDone.await(60, TimeUnit.SECONDS), "clients stopped");
            recorder.on = false;
            long executed = running.host.executedRequests() - executedBefore;

            assertEquals(List.of(), List.copyOf(failures), "no request failed during " + UPDATES + " live updates");
            assertEquals(sent, answered, "every request sent was answered, each by the cage greeting its own id");
            assertEquals(sent, recorder.dispatched.keySet(), "the host received exactly the requests the clients sent");
            List<String> twice = recorder.dispatched.entrySet().stream().filter(e -> e.getValue().get() != 1).map(Map.Entry::getKey).toList();
            assertEquals(List.of(), twice, "no request reached the host's dispatcher twice");
            assertEquals(answered.size() + failures.size(), executed,
                    "the host ran the handler once per request: client successes + failures");
            assertEquals(CLIENTS, connections.get(), "each client kept its one connection: the host closed none");
            assertTrue(answersByVersion.containsKey("1.0.0") && answersByVersion.containsKey("1.0.1"),
                    "both builds answered: " + answersByVersion);
            assertTrue(running.host.awaitRetirements(Duration.ofSeconds(30)), "old versions retired");
            assertEquals(1, running.host.installedBundles(), "no leftover bundles: only the active hello remains");
            System.out.printf("live updates: %d swaps, %d requests sent on %d keep-alive connections, %d answered, 0 failed;"
                            + " host dispatched %d distinct ids (none twice), executed %d; answers by version %s, swap ms %s%n",
                    UPDATES, sent.size(), connections.get(), answered.size(), recorder.dispatched.size(), executed,
                    answersByVersion, swapMillis);
        }
    }
}
