package io.cages.resources.tx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.api.ErrorCode;
import io.cages.resources.jdbc.JdbcResource;
import io.cages.resources.jdbc.JdbcResources;
import io.cages.resources.jdbc.PostgresServer;
import io.cages.resources.jms.EmbeddedBroker;
import io.cages.resources.jms.JmsResource;
import io.cages.resources.jms.JmsSettings;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.jms.MessageConsumer;
import javax.jms.Session;
import javax.jms.TextMessage;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Real PostgreSQL (two resources on it) and an embedded Artemis broker. */
class GroupCommitTest {

    @RegisterExtension
    static final PostgresServer PG = new PostgresServer();

    @TempDir
    static Path brokerDir;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger QUEUES = new AtomicInteger();
    private static EmbeddedBroker broker;
    private static JdbcResources dbs;
    private static JdbcResource db;
    private static JdbcResource db2;
    private static JmsResource jms;

    @BeforeAll
    static void start() throws Exception {
        broker = EmbeddedBroker.start(brokerDir, 41, -1, 10);
        jms = new JmsResource("bus", new JmsSettings(broker.inVmUrl(), null, null, 1, 8, 5_000));
        dbs = new JdbcResources(Map.of("orders", pg(4), "stock", pg(4)));
        db = dbs.get("orders");
        db2 = dbs.get("stock");
        db.use(Deadline.afterMillis(5000), c -> {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE items (k text PRIMARY KEY, v int)");
            }
            return null;
        });
    }

    private static JsonNode pg(int max) {
        return JSON.createObjectNode().put("url", PG.jdbcUrl()).put("username", PG.user()).put("password", PG.password())
                .put("maxPoolSize", max).put("minIdle", 0).put("connectionTimeoutMs", 2000).put("validationTimeoutMs", 500);
    }

    @AfterAll
    static void stop() {
        if (jms != null) {
            jms.close();
        }
        if (dbs != null) {
            dbs.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @AfterEach
    void nothingLeaked() {
        assertEquals(0, db.metrics().active(), db.metrics().toString());
        assertEquals(0, db2.metrics().active(), db2.metrics().toString());
        assertEquals(0, jms.leasedSessions());
    }

    private static boolean await(CountDownLatch latch) throws java.sql.SQLException {
        try {
            return latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            throw new java.sql.SQLException(e);
        }
    }

    private static String queue() {
        return "tx.test." + QUEUES.incrementAndGet();
    }

    private static int insert(Connection c, String k, int v) throws java.sql.SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO items (k, v) VALUES (?, ?)")) {
            s.setString(1, k);
            s.setInt(2, v);
            return s.executeUpdate();
        }
    }

    private static boolean exists(String k) throws CageException {
        return db.use(Deadline.afterMillis(5000), c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT count(*) FROM items WHERE k = ?")) {
                s.setString(1, k);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return rs.getInt(1) == 1;
                }
            }
        });
    }

    private static String receive(String queue, long timeoutMs) throws Exception {
        try (ActiveMQConnectionFactory f = new ActiveMQConnectionFactory(broker.inVmUrl());
             javax.jms.Connection c = f.createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = s.createConsumer(s.createQueue(queue));
            var m = timeoutMs == 0 ? consumer.receiveNoWait() : consumer.receive(timeoutMs);
            return m == null ? null : ((TextMessage) m).getText();
        }
    }

    private static void assertNoMessage(String queue) throws Exception {
        assertTrue(broker.messageCount(queue) <= 0, "messages in " + queue + ": " + broker.messageCount(queue));
        assertEquals(null, receive(queue, 0));
    }

    @Test
    void commitsTwoDatabasesAndJmsTogether() throws Exception {
        String q = queue();
        List<Object> r = new GroupCommit(Deadline.afterMillis(5000))
                .sql(db, c -> insert(c, "commit-a", 1))
                .jms(jms, tx -> tx.send(q, "{\"order\":\"commit-a\"}", Map.of("kind", "order")))
                .sql(db2, c -> insert(c, "commit-b", 2))
                .run();
        assertEquals(3, r.size());
        assertEquals(1, r.get(0));
        assertInstanceOf(String.class, r.get(1)); // the JMSMessageID
        assertEquals(1, r.get(2));
        assertTrue(exists("commit-a"));
        assertTrue(exists("commit-b"));
        assertEquals("{\"order\":\"commit-a\"}", receive(q, 5000));
    }

    @Test
    void sqlFailureRollsBackDatabaseAndJms() throws Exception {
        String q = queue();
        CountDownLatch sent = new CountDownLatch(1);
        CageException e = assertThrows(CageException.class, () -> new GroupCommit(Deadline.afterMillis(5000))
                .jms(jms, tx -> {
                    String id = tx.send(q, "never", Map.of());
                    sent.countDown();
                    return id;
                })
                .sql(db, c -> {
                    insert(c, "sqlfail-a", 1);
                    assertTrue(await(sent)); // the JMS send really happened first
                    try (Statement s = c.createStatement()) {
                        return s.executeUpdate("UPDATE no_such_table SET x = 1");
                    }
                })
                .run());
        assertEquals(ErrorCode.INTERNAL, e.code());
        assertTrue(e.getMessage().contains("participant 2 (sql \"orders\") failed"), e.getMessage());
        assertTrue(e.getMessage().contains("no_such_table"), e.getMessage());
        assertTrue(!exists("sqlfail-a"));
        assertNoMessage(q);
    }

    @Test
    void jmsFailureRollsBackDatabaseAndJms() throws Exception {
        String q = queue();
        CountDownLatch inserted = new CountDownLatch(1);
        CageException e = assertThrows(CageException.class, () -> new GroupCommit(Deadline.afterMillis(5000))
                .sql(db, c -> {
                    int n = insert(c, "jmsfail-a", 1);
                    inserted.countDown();
                    return n;
                })
                .sql(db2, c -> insert(c, "jmsfail-b", 1))
                .jms(jms, tx -> {
                    tx.send(q, "never", Map.of());
                    assertTrue(inserted.await(5, TimeUnit.SECONDS));
                    throw new IllegalStateException("billing refused the charge");
                })
                .run());
        assertEquals(ErrorCode.INTERNAL, e.code());
        assertTrue(e.getMessage().contains("participant 3 (jms 'bus') failed"), e.getMessage());
        assertTrue(e.getMessage().contains("billing refused the charge"), e.getMessage());
        assertTrue(!exists("jmsfail-a"));
        assertTrue(!exists("jmsfail-b"));
        assertNoMessage(q);
    }

    @Test
    void deadlinePassingMidWayRollsBackAll() throws Exception {
        String q = queue();
        long t0 = System.nanoTime();
        CageException e = assertThrows(CageException.class, () -> new GroupCommit(Deadline.afterMillis(500))
                .jms(jms, tx -> tx.send(q, "too late", Map.of()))
                .sql(db2, c -> insert(c, "deadline-b", 1))
                .sql(db, c -> {
                    insert(c, "deadline-a", 1);
                    try (Statement s = c.createStatement()) {
                        s.execute("SELECT pg_sleep(5)");
                    }
                    return "slept";
                })
                .run());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(ErrorCode.DEADLINE_EXCEEDED, e.code(), e.getMessage());
        assertTrue(ms >= 450 && ms < 1500, "took " + ms + " ms");
        assertTrue(e.getMessage().contains("participant 3"), e.getMessage());
        assertTrue(!exists("deadline-a"));
        assertTrue(!exists("deadline-b"));
        assertNoMessage(q);
    }

    @Test
    void thousandFailingTransactionsLeakNothing() throws Exception {
        String q = queue();
        for (int i = 0; i < 1000; i++) {
            boolean sqlFails = i % 2 == 0;
            String k = "leak-" + i;
            CageException e = assertThrows(CageException.class, () -> new GroupCommit(Deadline.afterMillis(5000))
                    .sql(db, c -> {
                        insert(c, k, 1);
                        if (sqlFails) {
                            try (Statement s = c.createStatement()) {
                                s.execute("SELECT 1/0");
                            }
                        }
                        return 1;
                    })
                    .jms(jms, tx -> {
                        tx.send(q, k, Map.of());
                        if (!sqlFails) {
                            throw new IllegalArgumentException("fail " + k);
                        }
                        return null;
                    })
                    .run());
            assertEquals(ErrorCode.INTERNAL, e.code());
        }
        assertEquals(0, db.metrics().active(), db.metrics().toString());
        assertEquals(0, jms.leasedSessions());
        assertTrue(!exists("leak-0") && !exists("leak-999"));
        assertNoMessage(q);
        // and the pools still work
        assertEquals(List.of(1), new GroupCommit(Deadline.afterMillis(5000)).sql(db, c -> insert(c, "leak-after", 1)).run());
    }

    @Test
    void resultsComeBackInTheOrderAdded() throws Exception {
        String q = queue();
        CountDownLatch lastDone = new CountDownLatch(1);
        List<Object> r = new GroupCommit(Deadline.afterMillis(5000))
                .sql(db, c -> {
                    assertTrue(await(lastDone)); // finishes after the last one
                    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 'first'")) {
                        rs.next();
                        return rs.getString(1);
                    }
                })
                .jms(jms, tx -> null)
                .sql(db2, c -> 3)
                .jms(jms, tx -> {
                    tx.send(q, "fourth", Map.of());
                    return "fourth";
                })
                .sql(db, c -> {
                    lastDone.countDown();
                    return 5L;
                })
                .run();
        assertEquals(Arrays.asList("first", null, 3, "fourth", 5L), r);
        assertEquals("fourth", receive(q, 5000));
    }

    @Test
    void commitFailingHalfWayKeepsEarlierCommitsAndRollsBackTheRest() throws Exception {
        String q = queue();
        Participant failsOnCommit = new Participant() {
            @Override
            public String describe() {
                return "participant 2 (flaky)";
            }

            @Override
            public Object execute(Deadline deadline) {
                return "ok";
            }

            @Override
            public void commit() throws Exception {
                throw new CageException(ErrorCode.UNAVAILABLE, "flaky: lost the connection at commit");
            }

            @Override
            public void rollback() {
            }
        };
        PartialCommitException e = assertThrows(PartialCommitException.class, () -> new GroupCommit(Deadline.afterMillis(5000))
                .sql(db, c -> insert(c, "partial-a", 1))
                .add(failsOnCommit)
                .jms(jms, tx -> tx.send(q, "after the failure", Map.of()))
                .run());
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        assertEquals(List.of("participant 1 (sql \"orders\")"), e.committed());
        assertEquals(List.of("participant 2 (flaky)", "participant 3 (jms 'bus')"), e.notCommitted());
        assertTrue(exists("partial-a"));
        assertNoMessage(q);
    }

    @Test
    void workMayNotCommitItself() throws Exception {
        CageException e = assertThrows(CageException.class, () -> new GroupCommit(Deadline.afterMillis(5000))
                .sql(db, c -> {
                    insert(c, "self-commit", 1);
                    c.commit();
                    return null;
                })
                .run());
        assertNotNull(e.getMessage());
        assertTrue(!exists("self-commit"));
    }

    @Test
    void expiredDeadlineRunsNothing() {
        CageException e = assertThrows(CageException.class, () -> new GroupCommit(Deadline.afterMillis(-1))
                .sql(db, c -> {
                    throw new AssertionError("must not run");
                })
                .run());
        assertEquals(ErrorCode.DEADLINE_EXCEEDED, e.code());
    }
}
