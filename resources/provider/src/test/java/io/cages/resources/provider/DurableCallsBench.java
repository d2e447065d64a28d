package io.cages.resources.provider;

import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.spi.Dispatcher;
import io.cages.host.spi.InboundRequest;
import io.cages.host.testing.TestCages;
import io.cages.resources.jms.EmbeddedBroker;
import io.cages.testcages.ledger.LedgerCage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.jms.DeliveryMode;
import javax.jms.Message;
import javax.jms.MessageConsumer;
import javax.jms.MessageProducer;
import javax.jms.Session;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark, printed, never a timed test (it runs only when asked, and asserts nothing about speed):
 * durable calls per second and call-to-effect p50/p99 (a cage stores a durable call outside a transaction, the
 * relay delivers it, the target's effect commits with its key on H2) against a raw persistent Artemis
 * send+receive with duplicate detection ({@code _AMQ_DUPL_ID}) on an embedded broker, same machine, same JVM.
 * Each side first runs an unmeasured round of {@code cages.bench.warmup} calls (or messages) the same way, so
 * both are measured after the JIT compiled their paths (with one warm-up call the durable side, measured first,
 * shared two cores with the JIT compiler for most of its round).
 *
 * <pre>
 * mvn -B -o verify -pl resources/provider -Dtest=DurableCallsBench -Dcages.bench.durable=true \
 *     [-Dcages.bench.calls=2000] [-Dcages.bench.threads=8] [-Dcages.bench.warmup=1000]
 * </pre>
 */
@EnabledIfSystemProperty(named = "cages.bench.durable", matches = "true")
class DurableCallsBench {

    private static final int CALLS = Integer.getInteger("cages.bench.calls", 2000);
    private static final int THREADS = Integer.getInteger("cages.bench.threads", 8);
    private static final int WARMUP = Integer.getInteger("cages.bench.warmup", 1000);

    @TempDir
    Path dir;

    @Test
    void durableCallsAgainstRawArtemis() throws Exception {
        Result durable = durable();
        Result artemis = artemis();
        System.out.printf("%n%-44s %10s %10s %10s%n", "call to effect, " + CALLS + " calls, " + THREADS + " threads", "calls/s", "p50 ms", "p99 ms");
        System.out.printf("%-44s %10.0f %10.2f %10.2f%n", "durable call (outbox H2 -> relay -> inbox H2)", durable.perSecond, durable.p50, durable.p99);
        System.out.printf("%-44s %10.0f %10.2f %10.2f%n", "Artemis persistent send+receive, dup id", artemis.perSecond, artemis.p50, artemis.p99);
        System.out.printf("%-44s %10.2f%n%n", "durable / Artemis (calls/s)", durable.perSecond / artemis.perSecond);
    }

    private record Result(double perSecond, double p50, double p99) {
        static Result of(long[] latenciesNanos, long elapsedNanos) {
            long[] sorted = latenciesNanos.clone();
            Arrays.sort(sorted);
            return new Result(sorted.length / (elapsedNanos / 1e9), sorted[sorted.length / 2] / 1e6,
                    sorted[Math.min(sorted.length - 1, (int) (sorted.length * 0.99))] / 1e6);
        }
    }

    private Result durable() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("data").resolve("main").toAbsolutePath() + ";WRITE_DELAY=0";
        try (Connection c = DriverManager.getConnection(url, "sa", "pw"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE timed (id VARCHAR(100) PRIMARY KEY, at_nanos BIGINT NOT NULL)");
        }
        Files.writeString(dir.resolve("resources.json"), """
                {"resources": {"main": {"kind": "jdbc", "url": "%s", "username": "sa", "password": "pw", "maxPoolSize": 16}},
                 "durableCalls": {"inbox": {"ledger": "main"}}}
                """.formatted(url));
        Map<String, Long> started = new ConcurrentHashMap<>();
        long begin;
        try (Host host = Host.start(HostConfig.defaults().withName("bench").withWorkDir(dir.resolve("work"))
                .withCageConfigDir(dir.resolve("configs")).withResourcesFile(dir.resolve("resources.json")), List.of())) {
            host.admin().deploy(TestCages.build("ledger", "1.0.0", LedgerCage.class), "bench");
            Dispatcher d = host.dispatcher();
            // Warm-up: the tables, pools and JIT, as the measured round runs.
            sendAll(d, "warm-", WARMUP, started);
            awaitRows(url, WARMUP);
            started.clear();
            try (Connection c = DriverManager.getConnection(url, "sa", "pw"); Statement s = c.createStatement()) {
                s.execute("DELETE FROM timed");
            }
            begin = System.nanoTime();
            sendAll(d, "k-", CALLS, started);
            awaitRows(url, CALLS);
        }
        long[] latencies = new long[CALLS];
        long last = 0;
        int n = 0;
        try (Connection c = DriverManager.getConnection(url, "sa", "pw"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, at_nanos FROM timed")) {
            while (rs.next()) {
                long at = rs.getLong(2);
                latencies[n++] = at - started.get(rs.getString(1));
                last = Math.max(last, at);
            }
        }
        return Result.of(latencies, last - begin);
    }

    /** {@code calls} durable calls from {@value #THREADS}-thread clients, keys {@code prefix0...}. */
    private static void sendAll(Dispatcher d, String prefix, int calls, Map<String, Long> started) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            clients.add(Thread.ofVirtual().start(() -> {
                for (int i = next.getAndIncrement(); i < calls; i = next.getAndIncrement()) {
                    send(d, prefix + i, started);
                }
            }));
        }
        for (Thread t : clients) {
            t.join();
        }
    }

    private static void send(Dispatcher d, String key, Map<String, Long> started) {
        started.put(key, System.nanoTime());
        try {
            d.dispatch(new InboundRequest(d.newRequestId(), "ledger", "send", Map.of("id", key, "key", key, "op", "timed"),
                    null, null, null, "bench", null)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("durable call " + key + " was not stored", e);
        }
    }

    private static void awaitRows(String url, int rows) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        // One connection for the whole wait: opening one every 5 ms took CPU from the durable calls being measured.
        try (Connection c = DriverManager.getConnection(url, "sa", "pw"); Statement s = c.createStatement()) {
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM timed")) {
                    rs.next();
                    if (rs.getInt(1) >= rows) {
                        return;
                    }
                }
                Thread.sleep(5); // polling the ground truth; the figures come from the rows' own timestamps
            }
        }
        throw new IllegalStateException("not every effect arrived within 5 minutes");
    }

    private Result artemis() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("broker"), 77, -1, "127.0.0.1", 10);
             ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory("vm://77");
             javax.jms.Connection connection = factory.createConnection()) {
            connection.start();
            artemisRound(connection, "warm-", WARMUP); // as for durable calls: the JIT, the journal files
            return artemisRound(connection, "k-", CALLS);
        }
    }

    private static Result artemisRound(javax.jms.Connection connection, String prefix, int calls) throws Exception {
        long[] latencies = new long[calls];
        Map<String, Long> started = new ConcurrentHashMap<>();
        AtomicInteger received = new AtomicInteger();
        CountDownLatch all = new CountDownLatch(calls);
        long[] lastAt = new long[1];
        List<Session> consumers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
            MessageConsumer consumer = session.createConsumer(session.createQueue("bench.calls"));
            consumer.setMessageListener(m -> {
                try {
                    String key = m.getStringProperty("key");
                    session.commit();
                    long now = System.nanoTime();
                    int i = received.getAndIncrement();
                    if (i < calls) {
                        latencies[i] = now - started.get(key);
                        synchronized (lastAt) {
                            lastAt[0] = Math.max(lastAt[0], now);
                        }
                    }
                    all.countDown();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            consumers.add(session);
        }
        long begin = System.nanoTime();
        AtomicInteger next = new AtomicInteger();
        List<Thread> producers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            producers.add(Thread.ofVirtual().start(() -> {
                try (Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                     MessageProducer producer = session.createProducer(session.createQueue("bench.calls"))) {
                    producer.setDeliveryMode(DeliveryMode.PERSISTENT);
                    for (int i = next.getAndIncrement(); i < calls; i = next.getAndIncrement()) {
                        String key = prefix + i;
                        Message m = session.createTextMessage("{\"id\":\"" + key + "\"}");
                        m.setStringProperty("key", key);
                        m.setStringProperty("_AMQ_DUPL_ID", key);
                        started.put(key, System.nanoTime());
                        producer.send(m);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (Thread t : producers) {
            t.join();
        }
        if (!all.await(5, TimeUnit.MINUTES)) {
            throw new IllegalStateException("only " + received.get() + " of " + calls + " messages arrived");
        }
        for (Session s : consumers) {
            s.close();
        }
        return Result.of(latencies, lastAt[0] - begin);
    }
}
