package io.cages.resbench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.cages.api.Deadline;
import io.cages.resources.jdbc.JdbcResource;
import io.cages.resources.jdbc.JdbcResources;
import io.cages.api.SqlWork;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A SELECT through {@link JdbcResource#use} (a fresh deadline per call, as a cage would) against a raw
 * {@link HikariDataSource} with the same pool size on the same PostgreSQL. A third system, raw HikariCP with
 * {@code setQueryTimeout} on each statement, shows what pgjdbc's own timer-based cancel costs by itself (the
 * resource layer cancels at the deadline with a watchdog of its own instead, which costs less).
 */
final class JdbcBench {

    static final int ROWS = 100;

    private JdbcBench() {
    }

    static void run(String url, String user, String password, int poolSize, int threads, double seconds, int rounds,
                    long deadlineMs) throws Exception {
        ObjectNode cfg = new ObjectMapper().createObjectNode()
                .put("url", url).put("username", user).put("password", password)
                .put("maxPoolSize", poolSize).put("minIdle", poolSize).put("connectionTimeoutMs", 5000);
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("raw-hikari");
        hc.setJdbcUrl(url);
        hc.setUsername(user);
        hc.setPassword(password);
        hc.setMaximumPoolSize(poolSize);
        hc.setMinimumIdle(poolSize);
        hc.setConnectionTimeout(5000);
        hc.setValidationTimeout(2000);

        try (JdbcResources resources = new JdbcResources(Map.<String, JsonNode>of("bench", cfg));
             HikariDataSource raw = new HikariDataSource(hc)) {
            JdbcResource db = resources.get("bench");
            try (Connection c = raw.getConnection(); Statement s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS bench_item");
                s.execute("CREATE TABLE bench_item (id int PRIMARY KEY, name text NOT NULL, price numeric(10,2) NOT NULL)");
                s.execute("INSERT INTO bench_item SELECT g, 'item ' || g, g * 1.25 FROM generate_series(1, " + ROWS + ") g");
                s.execute("ANALYZE bench_item");
            }
            System.out.printf("%nJDBC: PostgreSQL %s, pool %d (min idle %d) on both, %d virtual threads, %d rounds of %.0f s, deadline %d ms per call%n",
                    serverVersion(raw), poolSize, poolSize, threads, rounds, seconds, deadlineMs);

            int timeoutSeconds = (int) Math.max(1, deadlineMs / 1000);
            for (String query : new String[] {"SELECT 1", "SELECT one row by primary key"}) {
                SqlWork<Integer> work = work(query, 0);
                SqlWork<Integer> timed = work(query, timeoutSeconds);
                new Rounds()
                        .add("raw HikariCP", () -> Load.run(threads, seconds, t -> {
                            try (Connection c = raw.getConnection()) {
                                work.apply(c);
                            }
                        }))
                        .add("JdbcResource.use(deadline)", () -> Load.run(threads, seconds,
                                t -> db.use(Deadline.afterMillis(deadlineMs), work)))
                        .add("raw HikariCP + setQueryTimeout", () -> Load.run(threads, seconds, t -> {
                            try (Connection c = raw.getConnection()) {
                                timed.apply(c);
                            }
                        }))
                        .run(rounds)
                        .print("JDBC " + query + ":", "calls/s", "raw HikariCP");
            }
            System.out.printf("  pool after the run: resource %s%n", db.metrics());
            try (Connection c = raw.getConnection(); Statement s = c.createStatement()) {
                s.execute("DROP TABLE bench_item");
            }
        }
    }

    /**
     * The statement of one benchmark row; with {@code timeoutSeconds > 0} it sets JDBC's query timeout on it
     * first, which pgjdbc implements with a task on its shared timer thread per execution.
     */
    private static SqlWork<Integer> work(String query, int timeoutSeconds) {
        if (query.equals("SELECT 1")) {
            return c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT 1")) {
                    if (timeoutSeconds > 0) {
                        ps.setQueryTimeout(timeoutSeconds);
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        return rs.getInt(1);
                    }
                }
            };
        }
        return c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, name, price FROM bench_item WHERE id = ?")) {
                if (timeoutSeconds > 0) {
                    ps.setQueryTimeout(timeoutSeconds);
                }
                ps.setInt(1, 1 + ThreadLocalRandom.current().nextInt(ROWS));
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new SQLException("row missing");
                    }
                    rs.getString(2);
                    rs.getBigDecimal(3);
                    return rs.getInt(1);
                }
            }
        };
    }

    private static String serverVersion(HikariDataSource ds) throws SQLException {
        try (Connection c = ds.getConnection()) {
            return c.getMetaData().getDatabaseProductVersion();
        }
    }
}
