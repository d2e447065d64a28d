package io.cages.resbench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.cages.api.CageState;
import io.cages.api.Deadline;
import io.cages.host.spi.StateFence;
import io.cages.resources.jdbc.JdbcResource;
import io.cages.resources.jdbc.JdbcResources;
import io.cages.resources.provider.state.CageStates;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;

/**
 * Cage state writes ({@link CageState#put} of two fields, {@link CageState#increment}) against raw JDBC doing the same
 * upserts on the same table of the same database, autocommit: on the embedded H2 file database cages use by default
 * and on PostgreSQL. The state store adds what fencing costs: a transaction per write that first locks the cage's
 * epoch row ({@code FOR SHARE} on PostgreSQL, {@code FOR UPDATE} on H2, so H2 writers of one cage take turns).
 * Every thread writes its own key, on both sides.
 */
final class StateBench {

    private StateBench() {
    }

    /** The embedded H2 database in {@code dir}, as a host opens it. */
    static void runH2(Path dir, int threads, double seconds, int rounds, long deadlineMs) throws Exception {
        CageStates states = CageStates.embedded(dir, () -> Deadline.afterMillis(deadlineMs));
        try (states) {
            CageState state = states.state(new BenchFence());
            state.put("warm", Map.of("up", 1)); // opens the database and creates the tables
            run("H2 file (" + CageStates.embeddedUrl(dir) + ")", CageStates.embeddedUrl(dir), null, null, false,
                    state, threads, seconds, rounds);
        }
    }

    static void runPostgres(String url, String user, String password, int pool, int threads, double seconds, int rounds,
                            long deadlineMs) throws Exception {
        ObjectNode cfg = new ObjectMapper().createObjectNode()
                .put("url", url).put("username", user).put("password", password)
                .put("maxPoolSize", pool).put("minIdle", pool);
        try (JdbcResources resources = new JdbcResources(Map.<String, JsonNode>of("state", cfg))) {
            JdbcResource db = resources.get("state");
            CageStates states = CageStates.on(() -> db, () -> Deadline.afterMillis(deadlineMs));
            try (states) {
                BenchFence fence = new BenchFence();
                fence.hold(states.activate(fence.cage(), fence.version()));
                CageState state = states.state(fence);
                run("PostgreSQL, pool " + pool, url, user, password, true, state, threads, seconds, rounds);
            }
        }
    }

    private static void run(String where, String url, String user, String password, boolean postgres, CageState state,
                            int threads, double seconds, int rounds) throws Exception {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("raw-state");
        hc.setJdbcUrl(url);
        hc.setUsername(user);
        hc.setPassword(password);
        hc.setMaximumPoolSize(threads);
        hc.setMinimumIdle(threads);
        try (HikariDataSource raw = new HikariDataSource(hc)) {
            System.out.printf("%nCage state vs raw JDBC: %s, %d threads, %d rounds of %.0f s; each thread its own key%n",
                    where, threads, rounds, seconds);
            String put = postgres
                    ? "INSERT INTO cage_state (cage, doc_key, field, num, val) VALUES ('raw', ?, ?, NULL, ?) "
                            + "ON CONFLICT (cage, doc_key, field) DO UPDATE SET num = EXCLUDED.num, val = EXCLUDED.val"
                    : "MERGE INTO cage_state (cage, doc_key, field, num, val) KEY (cage, doc_key, field) VALUES ('raw', ?, ?, NULL, ?)";
            String inc = postgres
                    ? "INSERT INTO cage_state (cage, doc_key, field, num, val) VALUES ('raw', ?, 'n', 1, NULL) "
                            + "ON CONFLICT (cage, doc_key, field) DO UPDATE SET num = cage_state.num + 1 RETURNING num"
                    : null;
            new Rounds()
                    .add("raw JDBC upsert of 2 fields", () -> Load.run(threads, seconds, t -> {
                        try (Connection c = raw.getConnection(); PreparedStatement s = c.prepareStatement(put)) {
                            for (String f : new String[] {"status", "note"}) {
                                s.setString(1, "k" + t);
                                s.setString(2, f);
                                s.setString(3, "\"value of " + f + "\"");
                                s.addBatch();
                            }
                            s.executeBatch();
                        }
                    }))
                    .add("CageState.put of 2 fields", () -> Load.run(threads, seconds,
                            t -> state.put("k" + t, Map.of("status", "value of status", "note", "value of note"))))
                    .run(rounds)
                    .print("put (" + where + "):", "writes/s", "raw JDBC upsert of 2 fields");
            new Rounds()
                    .add("raw JDBC increment", () -> Load.run(threads, seconds, t -> rawIncrement(raw, inc, "c" + t)))
                    .add("CageState.increment", () -> Load.run(threads, seconds, t -> state.increment("c" + t, "n", 1)))
                    .run(rounds)
                    .print("increment (" + where + "):", "writes/s", "raw JDBC increment");
        }
    }

    /** PostgreSQL: one upsert returning the value; H2: update-else-insert, then read the value back (as the store does). */
    private static long rawIncrement(HikariDataSource raw, String pgSql, String key) throws SQLException {
        try (Connection c = raw.getConnection()) {
            if (pgSql != null) {
                try (PreparedStatement s = c.prepareStatement(pgSql)) {
                    s.setString(1, key);
                    try (ResultSet rs = s.executeQuery()) {
                        rs.next();
                        return rs.getLong(1);
                    }
                }
            }
            try (PreparedStatement s = c.prepareStatement("UPDATE cage_state SET num = num + 1 WHERE cage = 'raw' AND doc_key = ? AND field = 'n'")) {
                s.setString(1, key);
                if (s.executeUpdate() == 0) {
                    try (PreparedStatement i = c.prepareStatement("INSERT INTO cage_state (cage, doc_key, field, num) VALUES ('raw', ?, 'n', 1)")) {
                        i.setString(1, key);
                        i.executeUpdate();
                        return 1;
                    }
                }
            }
            try (PreparedStatement q = c.prepareStatement("SELECT num FROM cage_state WHERE cage = 'raw' AND doc_key = ? AND field = 'n'")) {
                q.setString(1, key);
                try (ResultSet rs = q.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        }
    }

    /** The active version of the bench cage, as the host's fence would say. */
    private static final class BenchFence implements StateFence {
        private volatile long epoch;

        @Override
        public String cage() {
            return "bench";
        }

        @Override
        public String version() {
            return "1.0.0";
        }

        @Override
        public long epoch() {
            return epoch;
        }

        @Override
        public void hold(long epoch) {
            this.epoch = epoch;
        }

        @Override
        public boolean active() {
            return true;
        }

        @Override
        public boolean retired() {
            return false;
        }

        @Override
        public boolean vouched() {
            return false;
        }
    }
}
