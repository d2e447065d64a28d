package io.cages.resources.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cages.api.CageException;
import io.cages.api.ErrorCode;
import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.spi.Dispatcher;
import io.cages.host.spi.InboundRequest;
import io.cages.host.testing.Await;
import io.cages.host.testing.TestCages;
import io.cages.resources.jdbc.PostgresServer;
import io.cages.testcages.ledger.LedgerCage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durable calls on a real host with a real cage bundle: the outbox in the caller's transaction, the relay, the
 * target's inbox in the same commit as the handler's effect, outcomes by id, duplicates, expiry, nested keys,
 * and every stored call taking effect exactly once across a host restart, on H2 and on PostgreSQL.
 */
class DurableCallsTest {

    @RegisterExtension
    static final PostgresServer PG = new PostgresServer();

    @TempDir
    Path dir;
    Host host;
    String url;
    String user = "sa";
    String password = "pw";

    @AfterEach
    void stop() {
        if (host != null) {
            host.close();
        }
    }

    private void startOnH2() throws Exception {
        url = "jdbc:h2:file:" + dir.resolve("data").resolve("main").toAbsolutePath();
        prepare();
    }

    private void startOnPostgres() throws Exception {
        url = PG.jdbcUrl();
        user = PG.user();
        password = PG.password();
        prepare();
    }

    private void prepare() throws Exception {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS orders");
            s.execute("DROP TABLE IF EXISTS effects");
            s.execute("DROP TABLE IF EXISTS " + DurableSql.OUTBOX);
            s.execute("DROP TABLE IF EXISTS " + DurableSql.INBOX);
            s.execute("CREATE TABLE orders (id VARCHAR(100) PRIMARY KEY)");
            s.execute("CREATE TABLE effects (id VARCHAR(1000))");
        }
        Files.writeString(dir.resolve("resources.json"), """
                {"resources": {"main": {"kind": "jdbc", "url": "%s", "username": "%s", "password": "%s", "maxPoolSize": 16}},
                 "durableCalls": {"inbox": {"ledger": "main"}}}
                """.formatted(url, user, password));
        startHost();
    }

    private void startHost() throws Exception {
        host = Host.start(HostConfig.defaults().withName("h1").withWorkDir(dir.resolve("work"))
                .withCageConfigDir(dir.resolve("configs")).withResourcesFile(dir.resolve("resources.json")), List.of());
        host.admin().deploy(TestCages.build("ledger", "1.0.0", LedgerCage.class), "test");
    }

    private JsonNode call(String op, Map<String, Object> params) throws Exception {
        Dispatcher d = host.dispatcher();
        return d.dispatch(new InboundRequest(d.newRequestId(), "ledger", op, params, null, null, null, "test", null))
                .get(20, TimeUnit.SECONDS).value();
    }

    private JsonNode awaitFinished(String callId) {
        JsonNode[] last = new JsonNode[1];
        Await.until("durable call " + callId + " finished", Duration.ofSeconds(30), () -> {
            try {
                last[0] = call("lookup", Map.of("callId", callId));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return !last[0].path("status").asText().equals("PENDING");
        });
        return last[0];
    }

    private List<String> column(String sql) throws Exception {
        List<String> values = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }

    @Test
    void aCallInATransactionCommitsWithItsRowAndTakesEffectOnce() throws Exception {
        startOnH2();
        JsonNode placed = call("place", Map.of("id", "o-1"));
        JsonNode done = awaitFinished(placed.path("callId").asText());
        assertEquals("DONE", done.path("status").asText(), done.toString());
        assertEquals("o-1", done.path("value").path("charged").asText(), done.toString());
        assertEquals(List.of("o-1"), column("SELECT id FROM orders"));
        assertEquals(List.of("o-1"), column("SELECT id FROM effects"));
        assertTrue(placed.path("callId").asText().endsWith("@main"), "stored in the transaction's database: " + placed);
    }

    @Test
    void aRolledBackTransactionStoresNoCall() throws Exception {
        startOnH2();
        ExecutionException e = assertThrows(ExecutionException.class, () -> call("place", Map.of("id", "o-2", "fail", "true")));
        assertTrue(e.getCause().getMessage().contains("refused on purpose"), e.getCause().getMessage());
        assertEquals(List.of(), column("SELECT id FROM orders"));
        assertEquals(List.of(), column("SELECT id FROM " + DurableSql.OUTBOX));
    }

    @Test
    void aDuplicateKeyAnswersTheFirstExecutionsAnswer() throws Exception {
        startOnH2();
        String first = call("send", Map.of("id", "d-1", "key", "same-key")).path("callId").asText();
        JsonNode a = awaitFinished(first);
        String second = call("send", Map.of("id", "d-1", "key", "same-key")).path("callId").asText();
        JsonNode b = awaitFinished(second);
        assertEquals("DONE", b.path("status").asText(), b.toString());
        assertEquals(a.path("value"), b.path("value"), "the second answer is the first execution's");
        assertEquals(List.of("same-key"), column("SELECT id FROM effects"));
    }

    @Test
    void aFinalErrorIsStoredAndAnsweredToDuplicates() throws Exception {
        startOnH2();
        JsonNode a = awaitFinished(call("send", Map.of("id", "b-1", "key", "bad-1", "bad", "no money")).path("callId").asText());
        JsonNode b = awaitFinished(call("send", Map.of("id", "b-1", "key", "bad-1")).path("callId").asText());
        assertEquals("FAILED", a.path("status").asText(), a.toString());
        assertTrue(a.path("error").asText().startsWith("BAD_REQUEST") && a.path("error").asText().contains("no money"), a.toString());
        assertEquals("FAILED", b.path("status").asText(), "a duplicate gets the stored error: " + b);
        assertEquals(List.of(), column("SELECT id FROM effects"));
    }

    /**
     * Calls stored at once by several clients share commits, and the relay delivers them together and records
     * their outcomes in shared commits: the ones the target refuses fail, each of the others is done once.
     */
    @Test
    void callsStoredAndAnsweredTogetherEachGetTheirOwnOutcome() throws Exception {
        startOnH2();
        Map<String, String> callIds = new ConcurrentHashMap<>();
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int client = t;
            clients.add(Thread.ofVirtual().start(() -> {
                for (int i = client; i < 40; i += 8) {
                    String key = "batch-" + i;
                    Map<String, Object> params = i % 5 == 0 ? Map.of("id", key, "key", key, "bad", "refused " + key)
                            : Map.of("id", key, "key", key);
                    try {
                        callIds.put(key, call("send", params).path("callId").asText());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            }));
        }
        for (Thread client : clients) {
            client.join();
        }
        assertEquals(40, callIds.size());
        Set<String> charged = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            String key = "batch-" + i;
            JsonNode outcome = awaitFinished(callIds.get(key));
            if (i % 5 == 0) {
                assertEquals("FAILED", outcome.path("status").asText(), outcome.toString());
                assertTrue(outcome.path("error").asText().contains("refused " + key), outcome.toString());
            } else {
                assertEquals("DONE", outcome.path("status").asText(), outcome.toString());
                assertEquals(key, outcome.path("value").path("charged").asText(), outcome.toString());
                charged.add(key);
            }
        }
        List<String> effects = column("SELECT id FROM effects");
        assertEquals(charged, new HashSet<>(effects), "every good call took effect, no refused one did");
        assertEquals(32, effects.size(), "each once");
    }

    @Test
    void aCallNobodyAnswersExpiresAndIsReportedExpired() throws Exception {
        startOnH2();
        String callId = call("send", Map.of("id", "x-1", "key", "x-1", "to", "nobody", "expiryMs", "400")).path("callId").asText();
        JsonNode expired = awaitFinished(callId);
        assertEquals("EXPIRED", expired.path("status").asText(), expired.toString());
        assertTrue(expired.path("error").asText().startsWith("DEADLINE_EXCEEDED"), expired.toString());
        assertTrue(expired.path("error").asText().contains("no copy of cage 'nobody'"), "names the last failure: " + expired);
        assertTrue(expired.path("attempts").asInt() >= 2, "retried before expiring: " + expired);
    }

    @Test
    void operatorsListRetryAndCancelCalls() throws Exception {
        startOnH2();
        String callId = call("send", Map.of("id", "x-2", "key", "x-2", "to", "nobody", "expiryMs", "300")).path("callId").asText();
        assertEquals("EXPIRED", awaitFinished(callId).path("status").asText());
        JsonNode listed = host.admin().durableCalls("nobody", "expired", 10);
        assertEquals(1, listed.size(), listed.toString());
        assertEquals(callId, listed.get(0).path("id").asText());
        assertEquals("ledger", listed.get(0).path("caller").asText());
        assertTrue(listed.get(0).path("error").asText().contains("expired after"), listed.toString());

        assertTrue(host.admin().retryDurableCall(callId));
        assertEquals("PENDING", call("lookup", Map.of("callId", callId)).path("status").asText(), "due again, with a new expiry");
        assertTrue(host.admin().cancelDurableCall(callId));
        JsonNode cancelled = call("lookup", Map.of("callId", callId));
        assertEquals("CANCELLED", cancelled.path("status").asText(), cancelled.toString());
        assertEquals(false, host.admin().cancelDurableCall(callId), "only a pending call can be cancelled");
        assertEquals(false, host.admin().retryDurableCall("no-such-call"));
        CageException bad = assertThrows(CageException.class, () -> host.admin().durableCalls(null, "bogus", 10));
        assertEquals("status must be pending, done, failed, expired or cancelled, was 'bogus'", bad.getMessage());
    }

    @Test
    void keysAreCheckedWithAClearError() throws Exception {
        startOnH2();
        ExecutionException e = assertThrows(ExecutionException.class, () -> call("send", Map.of("id", "k", "key", "has space")));
        assertEquals(ErrorCode.INTERNAL, ((CageException) e.getCause()).code()); // an IllegalArgumentException in the cage
        CageException lookup = assertThrows(ExecutionException.class, () -> call("lookup", Map.of("callId", "nope@main")))
                .getCause() instanceof CageException c ? c : null;
        assertEquals(ErrorCode.NOT_FOUND, lookup.code());
        assertTrue(lookup.getMessage().contains("no durable call 'nope@main'"), lookup.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> DurableKeys.effective(null, "has space"));
        assertEquals("durable call key 'has space' has the character ' '; keys use letters, digits and - _ . : @"
                + " ('/' joins a nested call's key to its parent's)", bad.getMessage());
        assertEquals("p/c", DurableKeys.effective("p", "c"));
        assertThrows(IllegalArgumentException.class, () -> DurableKeys.effective(null, "x".repeat(201)));
    }

    @Test
    void nestedCallsDeriveTheirKeysSoARetriedParentRepeatsNoChildEffect() throws Exception {
        startOnH2();
        // fanout stores two durable charges (keys a, b) and fails its first run; the relay runs it again.
        String fanout = call("send", Map.of("id", "f", "key", "fan-2", "op", "fanout")).path("callId").asText();
        JsonNode done = awaitFinished(fanout);
        assertEquals("DONE", done.path("status").asText(), done.toString());
        List<String> children = new ArrayList<>();
        call("children", Map.of("id", "f")).path("ids").forEach(n -> children.add(n.asText()));
        assertEquals(4, children.size(), "each run stored both children: " + children);
        for (String child : children) {
            JsonNode outcome = awaitFinished(child);
            assertEquals("DONE", outcome.path("status").asText(), outcome.toString());
            assertTrue(outcome.path("key").asText().startsWith("fan-2/"), "key under the parent's: " + outcome);
        }
        assertEquals(List.of("fan-2/a", "fan-2/b"), column("SELECT id FROM effects ORDER BY id"),
                "children stored twice (the parent ran twice) took effect once each");
    }

    @Test
    void everyCallStoredBeforeARestartTakesEffectExactlyOnceOnH2() throws Exception {
        startOnH2();
        restartMidway();
    }

    @Test
    void everyCallStoredBeforeARestartTakesEffectExactlyOnceOnPostgres() throws Exception {
        startOnPostgres();
        restartMidway();
    }

    /**
     * Eight clients place orders with durable charges; the host closes mid-burst (charges pending, some in flight,
     * some orders committed but not acknowledged), and a new host on the same work folder delivers the rest.
     * Every committed order, acknowledged or not, is charged exactly once.
     */
    private void restartMidway() throws Exception {
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int client = t;
            clients.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; !stop.get(); i++) {
                    String id = "r-" + client + "-" + i;
                    try {
                        call("place", Map.of("id", id, "slowMs", "100"));
                        acknowledged.add(id);
                    } catch (Exception e) {
                        return; // the host is closing
                    }
                }
            }));
        }
        Await.until("some charges took effect", Duration.ofSeconds(30), () -> {
            try {
                return column("SELECT id FROM effects").size() >= 50;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        host.close(); // the relay and the charges in flight stop mid-way
        host = null;
        stop.set(true);
        for (Thread client : clients) {
            client.join();
        }
        int pendingAtClose = column("SELECT id FROM " + DurableSql.OUTBOX + " WHERE status = 'pending'").size();
        startHost();
        Await.until("every stored charge finished", Duration.ofSeconds(60), () -> {
            try {
                return column("SELECT id FROM " + DurableSql.OUTBOX + " WHERE status <> 'done'").isEmpty();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Set<String> orders = new HashSet<>(column("SELECT id FROM orders"));
        List<String> effects = column("SELECT id FROM effects");
        assertTrue(orders.containsAll(acknowledged), "every acknowledged order committed");
        assertEquals(orders, new HashSet<>(effects), "0 lost");
        assertEquals(orders.size(), effects.size(), "0 doubled");
        assertEquals(orders.size(), column("SELECT id FROM " + DurableSql.OUTBOX).size(), "one call per order");
        assertTrue(pendingAtClose > 0, "the close interrupted the burst");
    }
}
