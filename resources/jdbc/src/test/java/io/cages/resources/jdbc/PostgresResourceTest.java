package io.cages.resources.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.api.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.sql.Connection;
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
            System.out.println("statement_timeout: cancelled after " + tookMs + " ms for a 300 ms deadline");
            assertEquals(ErrorCode.DEADLINE_EXCEEDED, e.code(), e.getMessage());
            assertTrue(tookMs < 1000, "took " + tookMs);
            // The timeout is reset when the connection goes back: the next user gets its own budget.
            String next = db.use(Deadline.afterMillis(10_000), c -> {
                try (Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT current_setting('statement_timeout')")) {
                    rs.next();
                    return rs.getString(1);
                }
            });
            assertTrue(next.equals("10s") || next.startsWith("9"), next);
        }
    }

    @Test
    void poolRecoversAfterServerRestart() throws Exception {
        try (JdbcResources r = new JdbcResources(Map.of("db", Config.pg(PG, 3).put("minIdle", 2)))) {
            JdbcResource db = r.get("db");
            assertEquals(1, selectOne(db, 2000));
            await("idle connections", Duration.ofSeconds(5), () -> db.metrics().idle() >= 2);
            long start = System.nanoTime();
            PG.restart();
            System.out.println("restart took " + (System.nanoTime() - start) / 1_000_000 + " ms");
            // Stale connections are dropped by validation or on first use; later queries succeed.
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
