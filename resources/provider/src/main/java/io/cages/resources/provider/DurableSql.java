package io.cages.resources.provider;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cages.api.CageException;
import io.cages.api.DurableCall;
import io.cages.api.ErrorCode;
import io.cages.host.spi.HostJson;
import io.cages.host.spi.Reply;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tables of durable calls, in SQL that H2 and PostgreSQL both run. Times are epoch milliseconds.
 * {@value #OUTBOX}: one row per stored call and its outcome; {@value #INBOX}: one row per (cage, key) executed
 * on that database; {@value #REGISTRY} (host's own database): the databases whose outboxes the relay reads.
 */
final class DurableSql {

    static final String OUTBOX = "cages_durable_outbox";
    static final String INBOX = "cages_durable_inbox";
    static final String REGISTRY = "cages_durable_outboxes";
    private static final String UNIQUE_VIOLATION = "23505";

    private DurableSql() {
    }

    static void createOutbox(Connection c) throws SQLException {
        createIfMissing(c, "CREATE TABLE IF NOT EXISTS " + OUTBOX + " (id VARCHAR(120) PRIMARY KEY, caller VARCHAR(63) NOT NULL,"
                + " cage VARCHAR(63) NOT NULL, operation VARCHAR(200) NOT NULL, call_key VARCHAR(1000) NOT NULL,"
                + " params VARCHAR(1000000) NOT NULL, status VARCHAR(12) NOT NULL, attempts INTEGER NOT NULL,"
                + " created_at BIGINT NOT NULL, next_attempt_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, finished_at BIGINT,"
                + " answer VARCHAR(1000000), error_code VARCHAR(20), error_message VARCHAR(4000))",
                "CREATE INDEX IF NOT EXISTS " + OUTBOX + "_due ON " + OUTBOX + " (status, next_attempt_at)");
    }

    static void createInbox(Connection c) throws SQLException {
        createIfMissing(c, "CREATE TABLE IF NOT EXISTS " + INBOX + " (cage VARCHAR(63) NOT NULL, call_key VARCHAR(1000) NOT NULL,"
                + " status VARCHAR(12) NOT NULL, answer VARCHAR(1000000), version VARCHAR(100), error_code VARCHAR(20),"
                + " error_message VARCHAR(4000), finished_at BIGINT NOT NULL, PRIMARY KEY (cage, call_key))");
    }

    static void createRegistry(Connection c) throws SQLException {
        createIfMissing(c, "CREATE TABLE IF NOT EXISTS " + REGISTRY + " (database_name VARCHAR(100) PRIMARY KEY)");
    }

    /** Two hosts creating the same table at once on PostgreSQL: one wins, the other sees a duplicate and is fine. */
    private static void createIfMissing(Connection c, String... ddl) throws SQLException {
        boolean auto = c.getAutoCommit();
        try (Statement s = c.createStatement()) {
            for (String statement : ddl) {
                try {
                    s.execute(statement);
                } catch (SQLException e) {
                    if (!UNIQUE_VIOLATION.equals(e.getSQLState()) && !"42P07".equals(e.getSQLState())) {
                        throw e;
                    }
                    if (!auto) {
                        c.rollback();
                    }
                }
            }
        }
    }

    static void register(Connection c, String database) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO " + REGISTRY + " (database_name) VALUES (?)")) {
            s.setString(1, database);
            s.executeUpdate();
        } catch (SQLException e) {
            if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw e;
            }
        }
    }

    static List<String> registered(Connection c) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT database_name FROM " + REGISTRY)) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    static StoredCall read(Connection c, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT call_key, cage, operation, status, answer, error_code, error_message,"
                + " attempts, expires_at FROM " + OUTBOX + " WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                DurableCall.Status status = DurableCall.Status.valueOf(rs.getString(4).toUpperCase(java.util.Locale.ROOT));
                boolean answered = status == DurableCall.Status.FAILED || status == DurableCall.Status.EXPIRED
                        || status == DurableCall.Status.CANCELLED;
                CageException error = answered && rs.getString(6) != null
                        ? new CageException(ErrorCode.valueOf(rs.getString(6)), rs.getString(7)) : null;
                return new StoredCall(id, rs.getString(1), rs.getString(2), rs.getString(3), status, plain(rs.getString(5)), error,
                        rs.getInt(8), Instant.ofEpochMilli(rs.getLong(9)));
            }
        }
    }

    private static Object plain(String json) {
        if (json == null) {
            return null;
        }
        try {
            return HostJson.MAPPER.readValue(json, Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored answer is not JSON: " + e.getMessage(), e);
        }
    }

    /** The statement {@link #record} runs. */
    static final String RECORD = "UPDATE " + OUTBOX + " SET status = ?, answer = ?, error_code = ?, error_message = ?,"
            + " attempts = attempts + ?, next_attempt_at = CASE WHEN ? > 0 THEN ? ELSE next_attempt_at END,"
            + " finished_at = CASE WHEN ? = 'pending' THEN NULL ELSE ? END WHERE id = ? AND status = 'pending'";

    /** Records an attempt's outcome with {@code s} (prepared from {@link #RECORD}), unless an operator cancelled the call meanwhile. */
    static void record(PreparedStatement s, String id, String status, JsonNode answer, CageException error, long nextAttemptAt, long now)
            throws SQLException {
        s.setString(1, status);
        s.setString(2, answer == null ? null : answer.toString());
        s.setString(3, error == null ? null : error.code().name());
        s.setString(4, error == null ? null : truncate(error.getMessage()));
        s.setInt(5, "expired".equals(status) ? 0 : 1);
        s.setLong(6, nextAttemptAt);
        s.setLong(7, nextAttemptAt);
        s.setString(8, status);
        s.setLong(9, now);
        s.setString(10, id);
        s.executeUpdate();
    }

    /** Claims {@code key} for {@code cage} in the current transaction; false when it is already there (committed). */
    static boolean claim(Connection c, String cage, String key) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO " + INBOX + " (cage, call_key, status, finished_at) VALUES (?, ?, 'running', ?)")) {
            s.setString(1, cage);
            s.setString(2, key);
            s.setLong(3, System.currentTimeMillis());
            s.executeUpdate();
            return true;
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                return false;
            }
            throw e;
        }
    }

    static void finish(Connection c, String cage, String key, Reply reply) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE " + INBOX + " SET status = 'done', answer = ?, version = ?, finished_at = ?"
                + " WHERE cage = ? AND call_key = ?")) {
            s.setString(1, reply.hasValue() ? reply.value().toString() : null);
            s.setString(2, reply.version());
            s.setLong(3, System.currentTimeMillis());
            s.setString(4, cage);
            s.setString(5, key);
            s.executeUpdate();
        }
    }

    static void fail(Connection c, String cage, String key, CageException e) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE " + INBOX + " SET status = 'failed', error_code = ?, error_message = ?,"
                + " finished_at = ? WHERE cage = ? AND call_key = ?")) {
            s.setString(1, e.code().name());
            s.setString(2, truncate(e.getMessage()));
            s.setLong(3, System.currentTimeMillis());
            s.setString(4, cage);
            s.setString(5, key);
            s.executeUpdate();
        }
    }

    /** What the first execution of {@code key} answered: its value, or its error thrown again. */
    static Reply answerOf(Connection c, String cage, String key) throws SQLException, CageException {
        try (PreparedStatement s = c.prepareStatement("SELECT status, answer, version, error_code, error_message FROM " + INBOX
                + " WHERE cage = ? AND call_key = ?")) {
            s.setString(1, cage);
            s.setString(2, key);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    throw CageException.unavailable("durable call key '" + key + "' of cage '" + cage + "' was claimed and then not found"
                            + " (purged, or rolled back meanwhile); try again");
                }
                if ("failed".equals(rs.getString(1))) {
                    throw new CageException(ErrorCode.valueOf(rs.getString(4)), rs.getString(5));
                }
                if (!"done".equals(rs.getString(1))) {
                    throw CageException.unavailable("durable call key '" + key + "' of cage '" + cage + "' is still running elsewhere");
                }
                String answer = rs.getString(2);
                try {
                    return new Reply(answer == null ? null : HostJson.MAPPER.readTree(answer), null, null, Map.of(), rs.getString(3));
                } catch (JsonProcessingException e) {
                    throw new SQLException("stored answer of durable call key '" + key + "' is not JSON", e);
                }
            }
        }
    }

    static void list(Connection c, String cage, String status, int limit, ArrayNode out, Set<String> inFlight) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT id, caller, cage, operation, call_key, status, attempts, created_at,"
                + " next_attempt_at, expires_at, finished_at, error_code, error_message FROM " + OUTBOX + " WHERE 1 = 1");
        List<String> args = new ArrayList<>();
        if (cage != null) {
            sql.append(" AND cage = ?");
            args.add(cage);
        }
        if (status != null) {
            sql.append(" AND status = ?");
            args.add(status);
        }
        sql.append(" ORDER BY created_at DESC FETCH FIRST ").append(Math.max(1, limit)).append(" ROWS ONLY");
        try (PreparedStatement s = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                s.setString(i + 1, args.get(i));
            }
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    ObjectNode n = out.addObject();
                    n.put("id", rs.getString(1));
                    n.put("caller", rs.getString(2));
                    n.put("cage", rs.getString(3));
                    n.put("operation", rs.getString(4));
                    n.put("key", rs.getString(5));
                    n.put("status", rs.getString(6));
                    n.put("inFlight", inFlight.contains(rs.getString(1)));
                    n.put("attempts", rs.getInt(7));
                    n.put("created", Instant.ofEpochMilli(rs.getLong(8)).toString());
                    n.put("nextAttempt", Instant.ofEpochMilli(rs.getLong(9)).toString());
                    n.put("expires", Instant.ofEpochMilli(rs.getLong(10)).toString());
                    long finished = rs.getLong(11);
                    n.put("finished", rs.wasNull() ? null : Instant.ofEpochMilli(finished).toString());
                    n.put("errorCode", rs.getString(12));
                    n.put("error", rs.getString(13));
                }
            }
        }
    }

    /** Stored calls per (cage, status), for the metrics: one GROUP BY over the outbox. */
    static List<io.cages.host.admin.DurableCallCounts.Stored> countByCageAndStatus(Connection c) throws SQLException {
        List<io.cages.host.admin.DurableCallCounts.Stored> counts = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT cage, status, COUNT(*) FROM " + OUTBOX + " GROUP BY cage, status")) {
            while (rs.next()) {
                counts.add(new io.cages.host.admin.DurableCallCounts.Stored(rs.getString(1), rs.getString(2), rs.getLong(3)));
            }
        }
        return counts;
    }

    static boolean retry(Connection c, String id, long now, long newExpiry) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE " + OUTBOX + " SET status = 'pending', next_attempt_at = ?,"
                + " expires_at = CASE WHEN status = 'pending' THEN expires_at ELSE ? END, finished_at = NULL WHERE id = ? AND status <> 'done'")) {
            s.setLong(1, now);
            s.setLong(2, newExpiry);
            s.setString(3, id);
            return s.executeUpdate() == 1;
        }
    }

    static boolean cancel(Connection c, String id, long now) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE " + OUTBOX + " SET status = 'cancelled', finished_at = ?,"
                + " error_code = 'UNAVAILABLE', error_message = 'cancelled by an operator' WHERE id = ? AND status = 'pending'")) {
            s.setLong(1, now);
            s.setString(2, id);
            return s.executeUpdate() == 1;
        }
    }

    static int purgeOutbox(Connection c, long before) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM " + OUTBOX + " WHERE status <> 'pending' AND finished_at < ?")) {
            s.setLong(1, before);
            return s.executeUpdate();
        }
    }

    static int purgeInbox(Connection c, long before) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM " + INBOX + " WHERE status <> 'running' AND finished_at < ?")) {
            s.setLong(1, before);
            return s.executeUpdate();
        }
    }

    private static String truncate(String message) {
        return message == null || message.length() <= 4000 ? message : message.substring(0, 3990) + "...";
    }

}
