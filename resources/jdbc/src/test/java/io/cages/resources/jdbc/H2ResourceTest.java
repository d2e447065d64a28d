package io.cages.resources.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.api.ErrorCode;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
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
}
