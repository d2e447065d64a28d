package io.cages.resources.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.admin.FlockMember;
import io.cages.host.spi.Dispatcher;
import io.cages.host.spi.InboundRequest;
import io.cages.host.testing.Await;
import io.cages.host.testing.Ports;
import io.cages.host.testing.TestCages;
import io.cages.resources.jdbc.PostgresServer;
import io.cages.testcages.ledger.LedgerCage;
import io.cages.transport.flock.FlockTransport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durable calls delivered across hosts, with real sockets: a caller host with no copy of the target stores
 * keyed calls; the target runs on two other hosts of the flock that share one PostgreSQL inbox; one target
 * host is closed mid-burst. Every key takes effect exactly once, and a duplicate sent afterwards, answered by
 * the surviving copy, gets the first execution's answer even where the closed host ran it.
 */
class DurableCallsAcrossHostsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CALLS = 400;
    private static final int CLIENTS = 8;

    @RegisterExtension
    static final PostgresServer PG = new PostgresServer();

    @TempDir
    Path dir;
    final List<Host> hosts = new ArrayList<>();

    @AfterEach
    void stop() {
        hosts.forEach(Host::close);
    }

    @Test
    void everyCallTakesEffectOnceWhileATargetHostCloses() throws Exception {
        try (Connection c = DriverManager.getConnection(PG.jdbcUrl(), PG.user(), PG.password()); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS effects");
            s.execute("DROP TABLE IF EXISTS " + DurableSql.INBOX);
            s.execute("CREATE TABLE effects (id VARCHAR(1000))");
        }
        int[] ports = {Ports.free(), Ports.free(), Ports.free()};
        String flock = "durable-" + UUID.randomUUID();
        Host caller = start("c1", 0, ports, flock, "");
        Host t1 = start("t1", 1, ports, flock, ", \"durableCalls\": {\"inbox\": {\"ledger\": \"main\"}}");
        Host t2 = start("t2", 2, ports, flock, ", \"durableCalls\": {\"inbox\": {\"ledger\": \"main\"}}");
        caller.admin().deploy(TestCages.build("front", "1.0.0", LedgerCage.class), "test");
        byte[] ledger = TestCages.build("ledger", "1.0.0", LedgerCage.class);
        t1.admin().deploy(ledger, "test");
        t2.admin().deploy(ledger, "test");
        Await.until("c1 sees ledger on t1 and t2", Duration.ofSeconds(20),
                () -> hostsRunning(caller, "ledger").equals(Set.of("t1", "t2")));

        // The burst: 8 clients store CALLS durable charges on c1 (its own H2 outbox); c1's relay delivers them
        // by name to t1 and t2 while t1 closes.
        Map<String, String> callIds = new ConcurrentHashMap<>();
        AtomicInteger next = new AtomicInteger();
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < CLIENTS; t++) {
            clients.add(Thread.ofVirtual().start(() -> {
                for (int i = next.getAndIncrement(); i < CALLS; i = next.getAndIncrement()) {
                    String key = "k-" + i;
                    try {
                        callIds.put(key, call(caller, "front", "send", Map.of("id", key, "key", key, "to", "ledger", "slowMs", "20"))
                                .path("callId").asText());
                    } catch (Exception e) {
                        throw new IllegalStateException("storing " + key + " failed", e);
                    }
                }
            }));
        }
        Await.until("a quarter of the charges took effect", Duration.ofSeconds(60), () -> effects().size() >= CALLS / 4);
        int effectsBeforeClose = effects().size();
        t1.close(); // drains what it runs; calls refused or cut meanwhile go to t2
        hosts.remove(t1);
        for (Thread client : clients) {
            client.join();
        }
        assertEquals(CALLS, callIds.size(), "every call was stored");

        Map<String, JsonNode> outcomes = new ConcurrentHashMap<>();
        Await.until("every stored charge finished", Duration.ofSeconds(120), () -> {
            for (Map.Entry<String, String> e : callIds.entrySet()) {
                if (!outcomes.containsKey(e.getKey())) {
                    JsonNode outcome = lookup(caller, e.getValue());
                    if (!outcome.path("status").asText().equals("PENDING")) {
                        outcomes.put(e.getKey(), outcome);
                    }
                }
            }
            return outcomes.size() == CALLS;
        });
        long done = outcomes.values().stream().filter(o -> o.path("status").asText().equals("DONE")).count();
        long retried = outcomes.values().stream().filter(o -> o.path("attempts").asInt() > 1).count();

        List<String> effects = effects();
        Set<String> distinct = new TreeSet<>(effects);
        Set<String> lost = new TreeSet<>(callIds.keySet());
        lost.removeAll(distinct);
        int doubled = effects.size() - distinct.size();

        // Duplicates after the burst: same keys, new calls; only t2 is left to answer them.
        int duplicates = 0;
        int firstAnswers = 0;
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < CALLS; i += 8) {
            String key = "k-" + i;
            String again = call(caller, "front", "send", Map.of("id", key, "key", key, "to", "ledger")).path("callId").asText();
            JsonNode first = outcomes.get(key);
            JsonNode second = awaitFinished(caller, again);
            duplicates++;
            if (second.path("status").asText().equals("DONE") && second.path("value").equals(first.path("value"))) {
                firstAnswers++;
            } else {
                mismatches.add(key + ": first " + first + ", duplicate " + second);
            }
        }
        int effectsAfterDuplicates = effects().size();

        System.out.printf("durable calls across hosts: %d stored on c1, %d done, %d delivered more than once by the relay,"
                        + " %d effects (%d before t1 closed), %d lost, %d doubled; %d duplicates, %d answered the first answer,"
                        + " effects after duplicates %d%n",
                callIds.size(), done, retried, effects.size(), effectsBeforeClose, lost.size(), doubled, duplicates, firstAnswers,
                effectsAfterDuplicates);
        assertEquals(CALLS, done, "every call answered: " + outcomes.values().stream()
                .filter(o -> !o.path("status").asText().equals("DONE")).limit(3).toList());
        assertEquals(Set.of(), lost, "0 lost");
        assertEquals(0, doubled, "0 doubled");
        assertEquals(List.of(), mismatches, "duplicates answer the first execution's answer");
        assertEquals(effects.size(), effectsAfterDuplicates, "duplicates took no effect");
        for (Map.Entry<String, JsonNode> e : outcomes.entrySet()) {
            assertEquals(e.getKey(), e.getValue().path("value").path("charged").asText(), e.getValue().toString());
        }
        assertTrue(effectsBeforeClose < CALLS, "t1 closed mid-burst, with charges still to deliver");
    }

    private Host start(String name, int index, int[] ports, String flock, String durable) throws Exception {
        Path resources = dir.resolve(name + "-resources.json");
        Files.writeString(resources, """
                {"resources": {"main": {"kind": "jdbc", "url": "%s", "username": "%s", "password": "%s", "maxPoolSize": 16}}%s}
                """.formatted(PG.jdbcUrl(), PG.user(), PG.password(), durable));
        ObjectNode section = JSON.createObjectNode().put("name", flock).put("discovery", "static")
                .put("bind", "127.0.0.1").put("port", ports[index]).put("rpcPort", 0).put("publishMs", 100);
        for (int j = 0; j < ports.length; j++) {
            if (j != index) {
                section.withArray("hosts").add("127.0.0.1:" + ports[j]);
            }
        }
        Host host = Host.start(HostConfig.defaults().withName(name).withWorkDir(dir.resolve(name))
                .withCageConfigDir(dir.resolve(name + "-configs")).withResourcesFile(resources)
                .withTransport("flock", section), List.of(new FlockTransport()));
        hosts.add(host);
        return host;
    }

    private static Set<String> hostsRunning(Host host, String cage) {
        Set<String> names = new TreeSet<>();
        for (FlockMember member : host.admin().flock()) {
            if (member.cages().stream().anyMatch(c -> c.startsWith(cage + "@"))) {
                names.add(member.name());
            }
        }
        return names;
    }

    private static JsonNode call(Host host, String cage, String op, Map<String, Object> params) throws Exception {
        Dispatcher d = host.dispatcher();
        return d.dispatch(new InboundRequest(d.newRequestId(), cage, op, params, null, null, null, "test", null))
                .get(20, TimeUnit.SECONDS).value();
    }

    private static JsonNode lookup(Host host, String callId) {
        try {
            return call(host, "front", "lookup", Map.of("callId", callId));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode awaitFinished(Host host, String callId) {
        JsonNode[] last = new JsonNode[1];
        Await.until("durable call " + callId + " finished", Duration.ofSeconds(30), () -> {
            last[0] = lookup(host, callId);
            return !last[0].path("status").asText().equals("PENDING");
        });
        return last[0];
    }

    private static List<String> effects() {
        List<String> ids = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(PG.jdbcUrl(), PG.user(), PG.password()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id FROM effects")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return ids;
    }
}
