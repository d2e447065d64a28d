package io.cages.resources.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.api.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Real PostgreSQL, real HikariCP. */
class PostgresResourceTest {

    @RegisterExtension
    static final PostgresServer PG = new PostgresServer();

    private static int selectOne(JdbcResource db, long deadlineMs) throws CageException {
        return db.use(Deadline.afterMillis(deadlineMs), c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    /**
     * Resources whose pools never run HikariCP's own check before lending (it validates connections idle for
     * more than 500 ms, which on a slow machine covers a whole server restart), so that stale connections
     * are left to the resource layer to find.
     */
    private static JdbcResources withoutHikariCheck(Map<String, JsonNode> config) throws CageException {
        System.setProperty(ALIVE_BYPASS, "3600000"); // read once, when a pool is made
        try {
            return new JdbcResources(config);
        } finally {
            System.clearProperty(ALIVE_BYPASS);
        }
    }

    private static final String ALIVE_BYPASS = "com.zaxxer.hikari.aliveBypassWindowMs";

    private static void await(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        Deadline d = Deadline.after(limit);
        while (!condition.getAsBoolean()) {
            if (d.isExpired()) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void queryAndThousandFailingUsesLeakNothing() throws Exception {
        try (JdbcResources r = new JdbcResources(Map.of("db", Config.pg(PG, 4)))) {
            JdbcResource db = r.get("db");
            assertEquals(1, selectOne(db, 2000));
            for (int i = 0; i < 1000; i++) {
                CageException e = assertThrows(CageException.class, () -> db.use(Deadline.afterMillis(2000), c -> {
                    try (Statement s = c.createStatement()) {
                        return s.executeQuery("SELECT * FROM no_such_table");
                    }
                }));
                assertEquals(ErrorCode.INTERNAL, e.code());
            }
            // Failures inside a transaction too: the aborted transaction is rolled back on close.
            for (int i = 0; i < 100; i++) {
                try (Connection c = db.connection(Deadline.afterMillis(2000))) {
                    c.setAutoCommit(false);
                    try (Statement s = c.createStatement()) {
                        s.execute("SELECT 1/0");
                    } catch (SQLException expected) {
                        // leave it aborted
                    }
                }
            }
            assertEquals(0, db.metrics().active(), db.metrics().toString());
            assertEquals(1, selectOne(db, 2000));
        }
    }

    @Test
    void exhaustedPoolFailsWithinDeadline() throws Exception {
        try (JdbcResources r = new JdbcResources(Map.of("db", Config.pg(PG, 2)))) {
            JdbcResource db = r.get("db");
            try (Connection a = db.connection(Deadline.afterMillis(5000));
                 Connection b = db.connection(Deadline.afterMillis(5000))) {
                long start = System.nanoTime();
                CageException e = assertThrows(CageException.class, () -> db.connection(Deadline.afterMillis(300)));
                long tookMs = (System.nanoTime() - start) / 1_000_000;
                System.out.println("exhausted pool: failed after " + tookMs + " ms for a 300 ms deadline: " + e.getMessage());
                assertEquals(ErrorCode.UNAVAILABLE, e.code());
                assertTrue(e.getMessage().contains("\"db\"") && e.getMessage().contains("active=2")
                        && e.getMessage().contains("max=2") && e.getMessage().contains("waiting="), e.getMessage());
                assertTrue(tookMs >= 290 && tookMs < 600, "took " + tookMs + " ms");
            }
            await("connections returned", Duration.ofSeconds(5), () -> db.metrics().active() == 0);
        }
    }

    @Test
    void statementPastDeadlineIsCancelledByServer() throws Exception {
        try (JdbcResources r = new JdbcResources(Map.of("db", Config.pg(PG, 2)))) {
            JdbcResource db = r.get("db");
            long start = System.nanoTime();
            CageException e = assertThrows(CageException.class, () -> db.use(Deadline.afterMillis(300), c -> {
                try (Statement s = c.createStatement()) {
                    return s.execute("SELECT pg_sleep(5)");
                }
            }));
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            System.out.println("query timeout: cancelled after " + tookMs + " ms for a 300 ms deadline");
            assertEquals(ErrorCode.DEADLINE_EXCEEDED, e.code(), e.getMessage());
            assertTrue(tookMs < 1000, "took " + tookMs);
            // Nothing stays behind on the connection: the next user gets its own budget from its own deadline,
            // and the session carries no statement_timeout.
            String next = db.use(Deadline.afterMillis(10_000), c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT pg_sleep(0.5)"); // longer than the 300 ms of the previous user
                    try (ResultSet rs = s.executeQuery("SELECT current_setting('statement_timeout')")) {
                        rs.next();
                        return rs.getString(1);
                    }
                }
            });
            assertEquals("0", next);
            assertEquals(0, db.metrics().active());
        }
    }

    @Test
    void statementGetsTheTimeLeftWhenItRuns() throws Exception {
        try (JdbcResources r = new JdbcResources(Map.of("db", Config.pg(PG, 2)))) {
            JdbcResource db = r.get("db");
            long start = System.nanoTime();
            CageException e = assertThrows(CageException.class, () -> db.use(Deadline.afterMillis(1000), c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_sleep(?)")) {
                    ps.setDouble(1, 0.01);
                    ps.execute(); // fine
                    Thread.sleep(600);
                    ps.setDouble(1, 5);
                    return ps.execute(); // 400 ms left, not the 1000 ms there were when it was prepared
                } catch (InterruptedException ie) {
                    throw new IllegalStateException(ie);
                }
            }));
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            System.out.println("second execution cancelled after " + tookMs + " ms for a 1000 ms deadline");
            assertEquals(ErrorCode.DEADLINE_EXCEEDED, e.code(), e.getMessage());
            assertTrue(tookMs >= 990 && tookMs < 1500, "took " + tookMs);
            assertEquals(0, db.metrics().active());
        }
    }

    @Test
    void concurrentStatementsAreEachCancelledAtTheirOwnDeadline() throws Exception {
        try (JdbcResources r = new JdbcResources(Map.of("db", Config.pg(PG, 4)))) {
            JdbcResource db = r.get("db");
            long[] deadlines = {800, 200, 600, 400};
            long[] took = new long[deadlines.length];
            ErrorCode[] codes = new ErrorCode[deadlines.length];
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < deadlines.length; i++) {
                int me = i;
                threads.add(Thread.ofVirtual().start(() -> {
                    long start = System.nanoTime();
                    try {
                        db.use(Deadline.afterMillis(deadlines[me]), c -> {
                            try (Statement s = c.createStatement()) {
                                return s.execute("SELECT pg_sleep(5)");
                            }
                        });
                    } catch (CageException e) {
                        codes[me] = e.code();
                    }
                    took[me] = (System.nanoTime() - start) / 1_000_000;
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            System.out.println("deadlines " + java.util.Arrays.toString(deadlines) + " ms: cancelled after "
                    + java.util.Arrays.toString(took) + " ms");
            for (int i = 0; i < deadlines.length; i++) {
                assertEquals(ErrorCode.DEADLINE_EXCEEDED, codes[i], "deadline " + deadlines[i]);
                assertTrue(took[i] >= deadlines[i] - 10 && took[i] < deadlines[i] + 400,
                        "deadline " + deadlines[i] + " ms, took " + took[i]);
            }
            assertEquals(0, db.metrics().active());
        }
    }

    @Test
    void callersShorterQueryTimeoutWins() throws Exception {
        try (JdbcResources r = new JdbcResources(Map.of("db", Config.pg(PG, 1)));
             Connection c = r.get("db").connection(Deadline.afterMillis(10_000));
             Statement s = c.createStatement()) {
            s.setQueryTimeout(1);
            long start = System.nanoTime();
            SQLException e = assertThrows(SQLException.class, () -> s.execute("SELECT pg_sleep(3)"));
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals("57014", e.getSQLState(), e.toString());
            assertTrue(tookMs >= 990 && tookMs < 2000, "took " + tookMs);
            s.setQueryTimeout(0); // none of its own
            s.execute("SELECT pg_sleep(1.2)");
        }
    }

    @Test
    void executionAfterTheDeadlineFailsWithoutReachingTheServer() throws Exception {
        try (JdbcResources r = new JdbcResources(Map.of("db", Config.pg(PG, 1)))) {
            JdbcResource db = r.get("db");
            CageException e = assertThrows(CageException.class, () -> db.use(Deadline.afterMillis(200), c -> {
                try (Statement s = c.createStatement()) {
                    Thread.sleep(250);
                    return s.execute("CREATE TABLE never_created (id int)");
                } catch (InterruptedException ie) {
                    throw new IllegalStateException(ie);
                }
            }));
            assertEquals(ErrorCode.DEADLINE_EXCEEDED, e.code(), e.getMessage());
            assertTrue(e.getCause().getMessage().contains("before the statement was sent"), e.getCause().getMessage());
            boolean exists = db.use(Deadline.afterMillis(2000), c -> {
                try (Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT to_regclass('never_created') IS NOT NULL")) {
                    rs.next();
                    assertTrue(s.getConnection() == c, "a statement's connection is the one it was made on");
                    return rs.getBoolean(1);
                }
            });
            assertFalse(exists);
            assertEquals(0, db.metrics().active());
        }
    }

    @Test
    void connectionsTheServerClosedWhileIdleAreReplacedBeforeUse() throws Exception {
        try (JdbcResources r = withoutHikariCheck(Map.of("db", Config.pg(PG, 3)))) {
            JdbcResource db = r.get("db");
            // Three connections, all used just now: HikariCP would skip its own check for 500 ms after a use
            // anyway (and here never checks), so the resource layer has to notice on its own.
            List<Connection> held = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                held.add(db.connection(Deadline.afterMillis(2000)));
            }
            for (Connection c : held) {
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT 1");
                }
                c.close();
            }
            long start = System.nanoTime();
            int terminated = 0;
            try (Connection admin = java.sql.DriverManager.getConnection(PG.jdbcUrl(), PG.user(), PG.password());
                 Statement s = admin.createStatement();
                 ResultSet rs = s.executeQuery("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
                         + " WHERE datname = current_database() AND pid <> pg_backend_pid()")) {
                while (rs.next()) {
                    terminated += rs.getBoolean(1) ? 1 : 0;
                }
            }
            assertEquals(3, terminated);
            int ok = 0;
            for (int i = 0; i < 20; i++) {
                try {
                    ok += selectOne(db, 2000);
                } catch (CageException e) {
                    System.out.println("after pg_terminate_backend: " + e.code() + " " + e.getMessage());
                }
            }
            System.out.println("terminated 3 idle connections; 20 queries done "
                    + (System.nanoTime() - start) / 1_000_000 + " ms later");
            assertEquals(20, ok, "every query after the termination succeeds");
            assertEquals(0, db.metrics().active());
        }
    }

    @Test
    void poolRecoversAfterServerRestart() throws Exception {
        try (JdbcResources r = withoutHikariCheck(Map.of("db", Config.pg(PG, 3).put("minIdle", 2)))) {
            JdbcResource db = r.get("db");
            assertEquals(1, selectOne(db, 2000));
            await("idle connections", Duration.ofSeconds(5), () -> db.metrics().idle() >= 2);
            long start = System.nanoTime();
            PG.restart();
            System.out.println("restart took " + (System.nanoTime() - start) / 1_000_000 + " ms");
            // Stale connections are found before they are lent (HikariCP's own check is off), and every query
            // succeeds.
            int ok = 0;
            for (int i = 0; i < 20; i++) {
                try {
                    ok += selectOne(db, 3000);
                } catch (CageException e) {
                    System.out.println("after restart: " + e.code() + " " + e.getMessage());
                }
            }
            assertEquals(20, ok, "every query after the restart succeeds");
            assertEquals(0, db.metrics().active());
        }
    }

    @Test
    void liveResizeWithConnectionsInUse() throws Exception {
        ObjectNode cfg = Config.pg(PG, 2);
        try (JdbcResources r = new JdbcResources(Map.of("db", cfg))) {
            JdbcResource db = r.get("db");
            List<Connection> held = new ArrayList<>();
            held.add(db.connection(Deadline.afterMillis(5000)));
            held.add(db.connection(Deadline.afterMillis(5000)));
            r.reconfigure(Map.of("db", cfg.deepCopy().put("maxPoolSize", 5)));
            for (int i = 0; i < 3; i++) {
                held.add(db.connection(Deadline.afterMillis(3000)));
            }
            assertEquals(5, db.metrics().active());
            assertEquals(5, db.metrics().max());
            for (Connection c : held) {
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT 1"); // the first two, borrowed before the resize, still work
                }
                c.close();
            }
            assertEquals(0, db.metrics().active());
        }
    }

    @Test
    void badConfigRejectedAndOldPoolKeepsServing() throws Exception {
        ObjectNode cfg = Config.pg(PG, 2);
        try (JdbcResources r = new JdbcResources(Map.of("db", cfg))) {
            JdbcResource db = r.get("db");
            try (Connection inFlight = db.connection(Deadline.afterMillis(5000))) {
                CageException e = assertThrows(CageException.class, () -> r.reconfigure(Map.of("db",
                        cfg.deepCopy().put("password", "wrong-password"))));
                assertEquals(ErrorCode.BAD_REQUEST, e.code());
                assertTrue(e.getMessage().contains("\"db\""), e.getMessage());
                assertFalse(e.getMessage().contains("wrong-password"), e.getMessage());
                e = assertThrows(CageException.class, () -> r.reconfigure(Map.of("db", cfg.deepCopy().put("maxPoolSize", -1))));
                assertTrue(e.getMessage().contains("maxPoolSize"), e.getMessage());
                try (Statement s = inFlight.createStatement()) {
                    s.execute("SELECT 1");
                }
            }
            assertEquals(1, selectOne(db, 2000));
            assertEquals(2, db.metrics().max());
        }
    }

    @Test
    void credentialChangeSwitchesPoolsWithoutFailingInFlightWork() throws Exception {
        try (Connection admin = java.sql.DriverManager.getConnection(PG.jdbcUrl(), PG.user(), PG.password());
             Statement s = admin.createStatement()) {
            s.execute("CREATE ROLE app LOGIN PASSWORD 'app-pw'");
        }
        ObjectNode cfg = Config.pg(PG, 2);
        try (JdbcResources r = new JdbcResources(Map.of("db", cfg), System::getenv, Duration.ofSeconds(10))) {
            JdbcResource db = r.get("db");
            Connection inFlight = db.connection(Deadline.afterMillis(10_000));
            r.reconfigure(Map.of("db", cfg.deepCopy().put("username", "app").put("password", "app-pw")));
            String user = db.use(Deadline.afterMillis(2000), c -> {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT current_user")) {
                    rs.next();
                    return rs.getString(1);
                }
            });
            assertEquals("app", user);
            try (Statement st = inFlight.createStatement()) {
                st.execute("SELECT 1"); // the old pool is still open for it
            }
            inFlight.close();
        }
    }

    @Test
    void credentialsFromEnvironmentAndNeverInLogs() throws Exception {
        // Surefire sets CAGES_TEST_PG_USER and CAGES_TEST_PG_PASSWORD (see pom.xml).
        assertEquals(PG.password(), System.getenv("CAGES_TEST_PG_PASSWORD"));
        ObjectNode cfg = Config.pg(PG, 2).put("username", "${env:CAGES_TEST_PG_USER}")
                .put("password", "${env:CAGES_TEST_PG_PASSWORD}");
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true));
        try (JdbcResources r = new JdbcResources(Map.of("db", cfg))) {
            assertEquals(1, selectOne(r.get("db"), 2000));
            assertFalse(r.get("db").toString().contains(PG.password()));
        } finally {
            System.setOut(stdout);
        }
        String log = captured.toString();
        stdout.print(log);
        assertTrue(log.contains("password=****"), log);
        assertFalse(log.contains("=" + PG.password() + ","), log);
    }
}
