package io.cages.resources.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cages.api.CageException;
import io.cages.api.ErrorCode;
import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.admin.DeployRecord;
import io.cages.host.spi.Dispatcher;
import io.cages.host.spi.InboundRequest;
import io.cages.host.testing.Await;
import io.cages.host.testing.TestCages;
import io.cages.testcages.state.StateCage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cage state on a real host with the embedded H2 state database: exact counts through live swaps, fencing of a
 * replaced version, fields kept across a rollback, survival of a restart, transactions and bad input.
 */
class CageStateTest {

    private static final byte[] V1 = TestCages.build("state", "1.0.0", StateCage.class);
    private static final byte[] V2 = TestCages.build("state", "1.0.1", StateCage.class);

    @TempDir
    Path dir;

    private Host start() throws Exception {
        HostConfig config = HostConfig.defaults().withName("h1").withWorkDir(dir.resolve("work"))
                .withCageConfigDir(dir.resolve("configs")).withResourcesFile(dir.resolve("resources.json"));
        return Host.start(config, List.of());
    }

    static void deploy(Host host, byte[] jar) {
        DeployRecord r = host.admin().deploy(jar, "test");
        assertTrue(r.succeeded(), r.toString());
    }

    static JsonNode call(Dispatcher d, String operation, Map<String, Object> params) throws Exception {
        return d.dispatch(new InboundRequest(d.newRequestId(), "state", operation, params, null, null, null, "test", null))
                .get(20, TimeUnit.SECONDS).value();
    }

    static CageException failure(Dispatcher d, String operation, Map<String, Object> params) throws Exception {
        try {
            JsonNode answer = call(d, operation, params);
            throw new AssertionError("expected a failure, got " + answer);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CageException c) {
                return c;
            }
            throw new AssertionError("expected a CageException", e.getCause());
        }
    }

    @Test
    void counterIsExactThroughAThousandLiveSwaps() throws Exception {
        int swaps = 1000;
        int threads = 8;
        try (Host host = start()) {
            deploy(host, V1);
            AtomicLong succeeded = new AtomicLong();
            AtomicLong failed = new AtomicLong();
            AtomicReference<Throwable> firstFailure = new AtomicReference<>();
            AtomicBoolean running = new AtomicBoolean(true);
            List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                clients.add(Thread.ofVirtual().start(() -> {
                    while (running.get()) {
                        try {
                            call(host.dispatcher(), "inc", Map.of("key", "counter"));
                            succeeded.incrementAndGet();
                        } catch (Exception e) {
                            failed.incrementAndGet();
                            firstFailure.compareAndSet(null, e);
                        }
                    }
                }));
            }
            long started = System.nanoTime();
            try {
                Await.until("increments running", Duration.ofSeconds(10), () -> succeeded.get() > 0);
                for (int i = 0; i < swaps; i++) {
                    deploy(host, i % 2 == 0 ? V2 : V1);
                }
            } finally {
                running.set(false);
                for (Thread t : clients) {
                    t.join(20_000);
                }
            }
            long elapsedMs = (System.nanoTime() - started) / 1_000_000;
            assertTrue(host.awaitRetirements(Duration.ofSeconds(30)));
            long counter = call(host.dispatcher(), "get", Map.of("key", "counter")).path("fields").path("n").asLong();
            System.out.printf("cage state: %d live swaps in %d ms under %d client threads: %d increments succeeded, %d failed,"
                    + " counter %d%n", swaps, elapsedMs, threads, succeeded.get(), failed.get(), counter);
            assertEquals(0, failed.get(), "no request failed: " + firstFailure.get());
            assertEquals(succeeded.get(), counter, "the counter equals the increments that succeeded");
        }
    }

    @Test
    void aReplacedVersionMayWriteOnlyFromRequestsItAdmittedBeforeTheSwitch() throws Exception {
        Path hold = dir.resolve("release-held-request");
        Path go1 = dir.resolve("go1");
        Path out1 = dir.resolve("out1");
        Path go2 = dir.resolve("go2");
        Path out2 = dir.resolve("out2");
        try (Host host = start()) {
            Dispatcher d = host.dispatcher();
            deploy(host, V1);
            assertEquals(1, call(d, "inc", Map.of()).path("value").asLong());
            call(d, "later", Map.of("go", go1.toString(), "out", out1.toString()));
            call(d, "later", Map.of("go", go2.toString(), "out", out2.toString()));
            // A request of 1.0.0 that is still running when 1.0.1 becomes active: 1.0.0 drains until it ends.
            var held = d.dispatch(new InboundRequest(d.newRequestId(), "state", "hold", Map.of("file", hold.toString()),
                    null, null, null, "test", null));
            deploy(host, V2);
            assertEquals("1.0.1", call(d, "inc", Map.of()).path("version").asText());

            Files.writeString(go1, "go"); // 1.0.0's background thread, while 1.0.0 drains
            Await.until("the background write's outcome", Duration.ofSeconds(10), () -> Files.exists(out1));
            assertEquals("UNAVAILABLE: cage 'state' version 1.0.0 may not write its state: version 1.0.1 holds the state"
                    + " epoch (2; this version held 1). A replaced version may write only from requests it admitted before the"
                    + " switch, until it is retired", Files.readString(out1));

            Files.writeString(hold, "go"); // the request admitted before the switch: the host vouches for it
            JsonNode answer = held.get(10, TimeUnit.SECONDS).value();
            assertEquals("1.0.0", answer.path("version").asText());
            assertEquals(3, answer.path("value").asLong());

            assertTrue(host.awaitRetirements(Duration.ofSeconds(10)));
            Files.writeString(go2, "go"); // after 1.0.0 is retired
            Await.until("the late write's outcome", Duration.ofSeconds(10), () -> Files.exists(out2));
            assertEquals("UNAVAILABLE: cage 'state' version 1.0.0 may not write its state: the version is retired",
                    Files.readString(out2));
            assertEquals(3, call(d, "get", Map.of()).path("fields").path("n").asLong(), "no refused write took effect");
        }
    }

    @Test
    void aRollbackKeepsTheFieldsTheOlderVersionDoesNotKnow() throws Exception {
        try (Host host = start()) {
            Dispatcher d = host.dispatcher();
            deploy(host, V1);
            call(d, "put", Map.of("key", "order-1", "fields", Map.of("status", "new", "items", List.of("a", "b"))));
            deploy(host, V2); // the newer version knows a field more
            call(d, "put", Map.of("key", "order-1", "fields", Map.of("status", "reserved", "priority", 2, "meta", Map.of("x", 1.5))));
            deploy(host, V1); // rolled back: it writes only what it knows
            call(d, "put", Map.of("key", "order-1", "fields", Map.of("status", "billed")));
            JsonNode fields = call(d, "get", Map.of("key", "order-1")).path("fields");
            assertEquals("{\"items\":[\"a\",\"b\"],\"meta\":{\"x\":1.5},\"priority\":2,\"status\":\"billed\"}", fields.toString());

            call(d, "remove", Map.of("key", "order-1", "field", "meta"));
            assertEquals("{\"items\":[\"a\",\"b\"],\"priority\":2,\"status\":\"billed\"}",
                    call(d, "get", Map.of("key", "order-1")).path("fields").toString());
            call(d, "delete", Map.of("key", "order-1"));
            assertEquals("{}", call(d, "get", Map.of("key", "order-1")).path("fields").toString());
        }
    }

    @Test
    void stateSurvivesAHostRestartAndTheEpochFollowsTheVersion() throws Exception {
        try (Host host = start()) {
            deploy(host, V1);
            for (int i = 0; i < 3; i++) {
                call(host.dispatcher(), "inc", Map.of());
            }
            call(host.dispatcher(), "put", Map.of("fields", Map.of("name", "kept")));
        }
        try (Host host = start()) { // same work folder
            deploy(host, V1);
            JsonNode fields = call(host.dispatcher(), "get", Map.of()).path("fields");
            assertEquals(3, fields.path("n").asLong());
            assertEquals("kept", fields.path("name").asText());
            assertEquals(4, call(host.dispatcher(), "inc", Map.of()).path("value").asLong());
            deploy(host, V2);
            assertEquals(5, call(host.dispatcher(), "inc", Map.of()).path("value").asLong());
        }
    }

    @Test
    void aTransactionCommitsStateWithItsOtherPartsOrNotAtAll() throws Exception {
        Files.writeString(dir.resolve("resources.json"), """
                {"resources": {"side": {"kind": "jdbc", "url": "jdbc:h2:mem:state-side;DB_CLOSE_DELAY=-1"}}}
                """);
        try (Host host = start()) {
            Dispatcher d = host.dispatcher();
            deploy(host, V1);
            JsonNode ok = call(d, "tx", Map.of("key", "t"));
            assertEquals("[1,null]", ok.path("results").toString());
            JsonNode mixed = call(d, "tx", Map.of("key", "t", "db", "side"));
            assertEquals("[2,7,null]", mixed.path("results").toString(), "each part's entry in the order added");
            CageException rolledBack = failure(d, "tx", Map.of("key", "t", "fail", true));
            assertEquals(ErrorCode.BAD_REQUEST, rolledBack.code());
            assertTrue(rolledBack.getMessage().startsWith("transaction rolled back: participant 1 (sql \"cage-state\") failed: failing on purpose"),
                    rolledBack.getMessage());
            assertEquals(2, call(d, "get", Map.of("key", "t")).path("fields").path("n").asLong(), "the first part rolled back too");
        }
    }

    @Test
    void badInputIsRefusedNamingWhatWasWrong() throws Exception {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("emptyKey", "cage state: a key must not be empty");
        expected.put("nullKey", "cage state: a key must not be null");
        expected.put("longKey", "cage state: key 'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk...' is 201 characters long, at most 200");
        expected.put("controlField", "cage state: field name 'a?b' holds a control character at index 1 (key 'k')");
        expected.put("notJson", "cage state: field 'when' of key 'k' is not JSON-like: it holds a value of type java.time.Instant;"
                + " allowed: String, Long/Integer, Double/Float, Boolean, null, Map with String keys, List");
        expected.put("nestedNotJson", "cage state: field 'list' of key 'k' is not JSON-like: it holds a value of type java.lang.Object;"
                + " allowed: String, Long/Integer, Double/Float, Boolean, null, Map with String keys, List");
        expected.put("nan", "cage state: field 'x' of key 'k' is not JSON-like: it holds the number NaN (JSON has no NaN or infinity);"
                + " allowed: String, Long/Integer, Double/Float, Boolean, null, Map with String keys, List");
        expected.put("tooLarge", "cage state: field 'big' of key 'k' is too large: 70002 characters as JSON, at most 65536");
        expected.put("incrementText", "cage state: cannot increment field 'name' of key 'k': it holds a String, not an integral number");
        try (Host host = start()) {
            deploy(host, V1);
            for (Map.Entry<String, String> e : expected.entrySet()) {
                CageException c = failure(host.dispatcher(), "bad", Map.of("case", e.getKey()));
                assertEquals(ErrorCode.BAD_REQUEST, c.code(), e.getKey() + ": " + c.getMessage());
                assertEquals(e.getValue(), c.getMessage(), e.getKey());
            }
        }
    }
}
