package io.cages.resources.provider;

import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.spi.Dispatcher;
import io.cages.host.spi.InboundRequest;
import io.cages.host.testing.TestCages;
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
import org.apache.activemq.artemis.api.config.ActiveMQDefaultConfiguration;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.io.aio.AIOSequentialFileFactory;
import org.apache.activemq.artemis.core.remoting.impl.invm.InVMConnector;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark, printed, never a timed test (it runs only when asked, and asserts nothing about speed): durable
 * calls per second and call-to-effect p50/p99 against a raw persistent Artemis send+receive with duplicate
 * detection, same machine, same JVM.
 *
 * <p><b>Durable side</b>: a cage stores a durable call outside a transaction (in the host's own H2 outbox), the
 * relay delivers it, the target's effect (a row with {@code System.nanoTime()}) commits with its key in the
 * target's inbox on H2 ({@code main}), and the relay records the outcome in the outbox.
 *
 * <p><b>Artemis side</b>, configured as a tuned user who wants the same guarantees would run it (each setting is
 * printed with the figures):
 * <ul>
 * <li>journal ASYNCIO (libaio) where {@link AIOSequentialFileFactory#isSupported()} says it works, else NIO:
 *     ASYNCIO is Artemis's fastest persistent journal and its default; without libaio Artemis itself falls back
 *     to NIO (this VM has no libaio, so NIO is what runs here);</li>
 * <li>the journal buffer timeout of that type's default (the timed buffer gathers the writes of concurrent
 *     senders into one sync: 500 us for ASYNCIO, 3.33 ms for NIO; {@code -Dcages.bench.artemis.bufferTimeoutNs}
 *     overrides it, e.g. with the figure {@code artemis perf-journal} computes for the disk);</li>
 * <li>{@code journal-sync-non-transactional} and {@code journal-sync-transactional} on, and datasync on (the
 *     defaults): a send returns, and a consumer's commit returns, once the journal is on disk; turning them off
 *     would let the broker lose a message it acknowledged, which a durable call never does;</li>
 * <li>{@code blockOnDurableSend} on (the default): the send returns once the broker stored the message, as
 *     {@code callDurably} returns once the call is committed;</li>
 * <li>duplicate detection on: each message carries {@code _AMQ_DUPL_ID} (the call's key), and the broker's id
 *     cache is persisted (the default), so a sender's retry is dropped as a durable call's key is;</li>
 * <li>one producer session per client thread and one transacted consumer session per thread (a message listener
 *     each), committing each message: the commit is the "effect" (the message is gone from the queue for
 *     good), as the target's commit of key and effect is on the durable side. No security, JMX off, in-VM
 *     connector: nothing between client and broker but the broker.</li>
 * </ul>
 * Durability is not quite the same on both sides: the H2 databases (each commit written to the file at once,
 * {@code WRITE_DELAY=0}) survive a killed process, but H2 does not force each commit to the disk, where Artemis
 * syncs its journal per batch. That difference favours the durable side.
 *
 * <p><b>Rounds</b>: host and broker start once; each side first runs an unmeasured round of
 * {@code cages.bench.warmup} calls (the JIT, tables, pools, journal files; with 2,000 the durable side still got
 * faster round after round, from 911 to 1,444 calls/s in one run, while Artemis stayed flat), then {@code cages.bench.rounds}
 * measured rounds of {@code cages.bench.calls} each, interleaved A B, B A, A B, ... so neither side always runs
 * first (or right after the other's garbage). Each round prints both sides and their ratio; the summary prints
 * the median ratio over rounds and its range, the medians of each side's figures, and commits per call.
 *
 * <pre>
 * mvn -B -o verify -pl resources/provider -Dtest=DurableCallsBench -Dcages.bench.durable=true \
 *     -Dsurefire.failIfNoSpecifiedTests=false \
 *     [-Dcages.bench.rounds=5] [-Dcages.bench.calls=4000] [-Dcages.bench.threads=8] [-Dcages.bench.warmup=10000]
 * </pre>
 */
@EnabledIfSystemProperty(named = "cages.bench.durable", matches = "true")
class DurableCallsBench {

    private static final int ROUNDS = Integer.getInteger("cages.bench.rounds", 5);
    private static final int CALLS = Integer.getInteger("cages.bench.calls", 4000);
    private static final int THREADS = Integer.getInteger("cages.bench.threads", 8);
    private static final int WARMUP = Integer.getInteger("cages.bench.warmup", 10_000);

    @TempDir
    Path dir;

    @Test
    void durableCallsAgainstRawArtemis() throws Exception {
        List<Result> durable = new ArrayList<>();
        List<Result> artemis = new ArrayList<>();
        try (DurableSide d = new DurableSide(dir); ArtemisSide a = new ArtemisSide(dir.resolve("broker"))) {
            d.round("warm-", WARMUP);
            a.round("warm-", WARMUP);
            d.resetCounts();
            System.out.printf("%n%s%n%s%n", a.settings, d.settings);
            System.out.printf("%-8s %-9s %10s %9s %9s%n", "round", "side", "calls/s", "p50 ms", "p99 ms");
            for (int r = 0; r < ROUNDS; r++) {
                String prefix = "r" + r + "-";
                Result dr;
                Result ar;
                if (r % 2 == 0) {
                    dr = d.round(prefix, CALLS);
                    ar = a.round(prefix, CALLS);
                } else {
                    ar = a.round(prefix, CALLS);
                    dr = d.round(prefix, CALLS);
                }
                durable.add(dr);
                artemis.add(ar);
                String first = r % 2 == 0 ? "durable first" : "Artemis first";
                System.out.printf("%-8s %-9s %10.0f %9.2f %9.2f%n", (r + 1) + "/" + ROUNDS, "durable", dr.perSecond, dr.p50, dr.p99);
                System.out.printf("%-8s %-9s %10.0f %9.2f %9.2f   ratio %.2f (%s)%n", "", "Artemis", ar.perSecond, ar.p50, ar.p99,
                        dr.perSecond / ar.perSecond, first);
            }
            double[] ratios = new double[ROUNDS];
            for (int r = 0; r < ROUNDS; r++) {
                ratios[r] = durable.get(r).perSecond / artemis.get(r).perSecond;
            }
            System.out.printf("%nsummary, %d rounds of %d calls, %d threads (medians over rounds)%n", ROUNDS, CALLS, THREADS);
            System.out.printf("  durable call (outbox H2 -> relay -> inbox H2)  %6.0f calls/s  p50 %6.2f ms  p99 %6.2f ms%n",
                    median(durable, Result::perSecond), median(durable, Result::p50), median(durable, Result::p99));
            System.out.printf("  Artemis persistent send+receive, dup id        %6.0f msgs/s   p50 %6.2f ms  p99 %6.2f ms%n",
                    median(artemis, Result::perSecond), median(artemis, Result::p50), median(artemis, Result::p99));
            Arrays.sort(ratios);
            System.out.printf("  durable / Artemis (calls/s): median %.2f, range %.2f..%.2f%n", ratios[ROUNDS / 2], ratios[0], ratios[ROUNDS - 1]);
            System.out.printf("  durable commits per call (%d calls): %s%n%n", ROUNDS * CALLS, d.commitsPerCall(ROUNDS * CALLS));
        }
    }

    private static double median(List<Result> results, java.util.function.ToDoubleFunction<Result> figure) {
        double[] values = results.stream().mapToDouble(figure).sorted().toArray();
        return values[values.length / 2];
    }

    private record Result(double perSecond, double p50, double p99) {
        static Result of(long[] latenciesNanos, long elapsedNanos) {
            long[] sorted = latenciesNanos.clone();
            Arrays.sort(sorted);
            return new Result(sorted.length / (elapsedNanos / 1e9), sorted[sorted.length / 2] / 1e6,
                    sorted[Math.min(sorted.length - 1, (int) (sorted.length * 0.99))] / 1e6);
        }
    }

    /** A host with the ledger cage, storing durable calls to itself; the effect is a row in {@code main}'s table timed. */
    private static final class DurableSide implements AutoCloseable {
        private final String url;
        private final Host host;
        private final Dispatcher dispatcher;
        final String settings;
        private long outboxCommits;
        private long outboxWrites;

        DurableSide(Path dir) throws Exception {
            url = "jdbc:h2:file:" + dir.resolve("data").resolve("main").toAbsolutePath() + ";WRITE_DELAY=0";
            try (Connection c = DriverManager.getConnection(url, "sa", "pw"); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE timed (id VARCHAR(100) PRIMARY KEY, at_nanos BIGINT NOT NULL)");
            }
            Files.writeString(dir.resolve("resources.json"), """
                    {"resources": {"main": {"kind": "jdbc", "url": "%s", "username": "sa", "password": "pw", "maxPoolSize": 16}},
                     "durableCalls": {"inbox": {"ledger": "main"}}}
                    """.formatted(url));
            host = Host.start(HostConfig.defaults().withName("bench").withWorkDir(dir.resolve("work"))
                    .withCageConfigDir(dir.resolve("configs")).withResourcesFile(dir.resolve("resources.json")), List.of());
            host.admin().deploy(TestCages.build("ledger", "1.0.0", LedgerCage.class), "bench");
            dispatcher = host.dispatcher();
            settings = "durable: outbox in the host's own H2 file, inbox and effect in H2 file 'main' (WRITE_DELAY=0), pool 16, "
                    + "calls stored outside a transaction from " + THREADS + " client threads";
        }

        Result round(String prefix, int calls) throws Exception {
            try (Connection c = DriverManager.getConnection(url, "sa", "pw"); Statement s = c.createStatement()) {
                s.execute("DELETE FROM timed");
            }
            Map<String, Long> started = new ConcurrentHashMap<>();
            long begin = System.nanoTime();
            sendAll(prefix, calls, started);
            awaitRows(calls);
            long[] latencies = new long[calls];
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

        void resetCounts() {
            outboxCommits = BatchedCommit.commitsInThisJvm();
            outboxWrites = BatchedCommit.writesInThisJvm();
        }

        /** The outbox's shared commits (store and outcome, two writes per call) and the inbox's own (one per call by design). */
        String commitsPerCall(int calls) {
            double commits = (BatchedCommit.commitsInThisJvm() - outboxCommits) / (double) calls;
            double writes = (BatchedCommit.writesInThisJvm() - outboxWrites) / (double) calls;
            return String.format("outbox %.2f (%.2f writes per call shared among them), inbox 1 (key and effect), total %.2f",
                    commits, writes, commits + 1);
        }

        /** {@code calls} durable calls from {@value #THREADS}-thread clients, keys {@code prefix0...}. */
        private void sendAll(String prefix, int calls, Map<String, Long> started) throws InterruptedException {
            AtomicInteger next = new AtomicInteger();
            List<Thread> clients = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                clients.add(Thread.ofVirtual().start(() -> {
                    for (int i = next.getAndIncrement(); i < calls; i = next.getAndIncrement()) {
                        send(prefix + i, started);
                    }
                }));
            }
            for (Thread t : clients) {
                t.join();
            }
        }

        private void send(String key, Map<String, Long> started) {
            started.put(key, System.nanoTime());
            try {
                dispatcher.dispatch(new InboundRequest(dispatcher.newRequestId(), "ledger", "send",
                        Map.of("id", key, "key", key, "op", "timed"), null, null, null, "bench", null)).get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("durable call " + key + " was not stored", e);
            }
        }

        private void awaitRows(int rows) throws Exception {
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

        @Override
        public void close() {
            host.close();
        }
    }

    /** An embedded Artemis broker set up as the class comment says, and an in-VM connection to it. */
    private static final class ArtemisSide implements AutoCloseable {
        private final EmbeddedActiveMQ server = new EmbeddedActiveMQ();
        private final ActiveMQConnectionFactory factory;
        private final javax.jms.Connection connection;
        final String settings;

        ArtemisSide(Path dir) throws Exception {
            Path abs = dir.toAbsolutePath();
            Files.createDirectories(abs.resolve("journal"));
            boolean aio = AIOSequentialFileFactory.isSupported() && AIOSequentialFileFactory.isSupported(abs.resolve("journal").toFile());
            int bufferTimeout = Integer.getInteger("cages.bench.artemis.bufferTimeoutNs", aio
                    ? ActiveMQDefaultConfiguration.getDefaultJournalBufferTimeoutAio() : ActiveMQDefaultConfiguration.getDefaultJournalBufferTimeoutNio());
            Configuration config = new ConfigurationImpl()
                    .setName("bench")
                    .setPersistenceEnabled(true)
                    .setSecurityEnabled(false)
                    .setJMXManagementEnabled(false)
                    .setJournalType(aio ? JournalType.ASYNCIO : JournalType.NIO)
                    .setJournalBufferTimeout_AIO(bufferTimeout)
                    .setJournalBufferTimeout_NIO(bufferTimeout)
                    .setJournalSyncNonTransactional(true)
                    .setJournalSyncTransactional(true)
                    .setJournalDatasync(true)
                    .setPersistIDCache(true)
                    .setJournalDirectory(abs.resolve("journal").toString())
                    .setBindingsDirectory(abs.resolve("bindings").toString())
                    .setPagingDirectory(abs.resolve("paging").toString())
                    .setLargeMessagesDirectory(abs.resolve("large-messages").toString())
                    .setNodeManagerLockDirectory(abs.toString());
            config.addAcceptorConfiguration("in-vm", "vm://77");
            server.setConfiguration(config);
            server.start();
            factory = new ActiveMQConnectionFactory("vm://77");
            factory.setBlockOnDurableSend(true);
            connection = factory.createConnection();
            connection.start();
            settings = "Artemis: journal " + (aio ? "ASYNCIO" : "NIO (no libaio here)") + ", buffer timeout " + bufferTimeout + " ns,"
                    + " sync (non-)transactional on, datasync on, blockOnDurableSend on, _AMQ_DUPL_ID with persisted id cache,"
                    + " " + THREADS + " producer sessions, " + THREADS + " transacted consumer sessions (commit per message), in-VM";
        }

        Result round(String prefix, int calls) throws Exception {
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

        @Override
        public void close() throws Exception {
            try {
                connection.close();
                factory.close();
                server.stop();
            } finally {
                InVMConnector.resetThreadPool(); // its static pool otherwise keeps the JVM ~60 s
            }
        }
    }
}
