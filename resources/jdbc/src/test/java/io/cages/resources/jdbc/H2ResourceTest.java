package io.cages.resources.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.api.ErrorCode;
import io.cages.resources.jdbc.internal.Pool;
import io.cages.resources.jdbc.internal.ResourceHandle;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** H2 in memory is the demo default: same API, deadline applied with setQueryTimeout. */
class H2ResourceTest {

    @Test
    void queryThroughH2Resource() throws Exception {
        try (JdbcResources r = new JdbcResources(Map.of("demo",
                Config.jdbc("jdbc:h2:mem:demo;DB_CLOSE_DELAY=-1", "sa", "").put("maxPoolSize", 2)))) {
            JdbcResource db = r.get("demo");
            db.use(Deadline.afterMillis(1500), c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE t(id INT PRIMARY KEY, name VARCHAR(20))");
                    s.execute("INSERT INTO t VALUES (1, 'one')");
                    assertEquals(2, s.getQueryTimeout(), "1.x s left rounds up to whole seconds");
                }
                return null;
            });
            String name = db.use(Deadline.afterMillis(2000), c -> {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT name FROM t")) {
                    rs.next();
                    return rs.getString(1);
                }
            });
            assertEquals("one", name);
            assertEquals(0, db.metrics().active());
            CageException e = assertThrows(CageException.class, () -> r.get("nope"));
            assertEquals(ErrorCode.NOT_FOUND, e.code());
            assertTrue(e.getMessage().contains("[demo]"), e.getMessage());
        }
    }

    @Test
    void aReplacedPoolClosesOnceItsLastLentConnectionIsBack() throws Exception {
        try (JdbcResources r = new JdbcResources(Map.of("demo", Config.jdbc("jdbc:h2:mem:retire-a;DB_CLOSE_DELAY=-1", "sa", "")),
                System::getenv, Duration.ofMinutes(5))) {
            JdbcResource db = r.get("demo");
            Pool old = ((ResourceHandle) db).pool();
            Connection inFlight = db.connection(Deadline.afterMillis(10_000));

            r.reconfigure(Map.of("demo", Config.jdbc("jdbc:h2:mem:retire-b;DB_CLOSE_DELAY=-1", "sa", "")));
            assertNotSame(old, ((ResourceHandle) db).pool(), "new borrows go to the new pool");
            try (Statement s = inFlight.createStatement()) {
                s.execute("SELECT 1"); // the old pool is still open for it
            }
            assertFalse(old.dataSource().isClosed());

            inFlight.close();
            awaitUntil("the old pool closed", () -> old.dataSource().isClosed());
        }
    }

    @Test
    void aRemovedPoolClosesAtTheGraceWithAConnectionStillLent() throws Exception {
        try (JdbcResources r = new JdbcResources(Map.of("demo", Config.jdbc("jdbc:h2:mem:retire-c;DB_CLOSE_DELAY=-1", "sa", "")),
                System::getenv, Duration.ofMillis(200))) {
            JdbcResource db = r.get("demo");
            Pool old = ((ResourceHandle) db).pool();
            Connection straggler = db.connection(Deadline.afterMillis(30_000));

            r.reconfigure(Map.of());
            awaitUntil("the old pool closed after the grace", () -> old.dataSource().isClosed());
            assertEquals(ErrorCode.UNAVAILABLE, assertThrows(CageException.class, () -> db.connection(Deadline.afterMillis(1000))).code());
            straggler.close(); // returned late: nothing throws, nothing closes twice
        }
    }

    private static void awaitUntil(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() - deadline < 0, "timed out waiting for: " + what);
            Thread.sleep(10); // polling interval: the condition decides
        }
    }
}
