package io.cages.resources.provider.state;

import io.cages.api.CageException;
import io.cages.host.spi.StateFence;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The state tables and every statement on them, for H2 and PostgreSQL. One row per field (so a write touches
 * only the fields it names) and one epoch row per cage name:
 *
 * <pre>
 * cage_state_epoch (cage PK, epoch, version)           who may write the cage's state
 * cage_state (cage, doc_key, field PK, num, val)       num for integral values, val (JSON text) for the rest
 * </pre>
 *
 * Writes first read the epoch row with a lock that {@link #activate} (an UPDATE of that row) must wait for:
 * {@code FOR SHARE} on PostgreSQL, so writers of one cage do not wait for each other; {@code FOR UPDATE} on H2,
 * which has no shared row lock. Either way a write either commits before the epoch moves or sees the new one.
 */
final class StateSql {

    final boolean postgres;

    StateSql(boolean postgres) {
        this.postgres = postgres;
    }

    void createTables(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS cage_state_epoch (cage VARCHAR(200) NOT NULL PRIMARY KEY, "
                    + "epoch BIGINT NOT NULL, version VARCHAR(200) NOT NULL)");
            s.execute("CREATE TABLE IF NOT EXISTS cage_state (cage VARCHAR(200) NOT NULL, doc_key VARCHAR(200) NOT NULL, "
                    + "field VARCHAR(200) NOT NULL, num BIGINT, val VARCHAR(" + StateValues.MAX_JSON + "), "
                    + "PRIMARY KEY (cage, doc_key, field))");
        }
    }

    /** The epoch row (locked for writing or for a bump), or null when the cage never had an active version. */
    private record Epoch(long epoch, String version) {
    }

    private Epoch lockEpoch(Connection c, String cage, boolean exclusive) throws SQLException {
        String lock = exclusive || !postgres ? " FOR UPDATE" : " FOR SHARE";
        try (PreparedStatement s = c.prepareStatement("SELECT epoch, version FROM cage_state_epoch WHERE cage = ?" + lock)) {
            s.setString(1, cage);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? new Epoch(rs.getLong(1), rs.getString(2)) : null;
            }
        }
    }

    /**
     * Joins the cage's epoch when it names {@code version}, else bumps it to {@code version}; in the caller's
     * transaction. Returns the epoch.
     */
    long activate(Connection c, String cage, String version) throws SQLException {
        Epoch e = lockEpoch(c, cage, true);
        if (e == null) {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO cage_state_epoch (cage, epoch, version) VALUES (?, 1, ?)")) {
                s.setString(1, cage);
                s.setString(2, version);
                s.executeUpdate();
            }
            return 1;
        }
        if (e.version().equals(version)) {
            return e.epoch();
        }
        try (PreparedStatement s = c.prepareStatement("UPDATE cage_state_epoch SET epoch = ?, version = ? WHERE cage = ?")) {
            s.setLong(1, e.epoch() + 1);
            s.setString(2, version);
            s.setString(3, cage);
            s.executeUpdate();
        }
        return e.epoch() + 1;
    }

    /**
     * Admits a write of {@code fence}'s version in the caller's transaction, holding the epoch row's lock until
     * it ends, or refuses it.
     *
     * @throws CageException UNAVAILABLE naming the cage, the refused version and the epoch's holder
     */
    void admitWrite(Connection c, StateFence fence) throws SQLException, CageException {
        String cage = fence.cage();
        if (fence.retired()) {
            throw CageException.unavailable("cage '" + cage + "' version " + fence.version()
                    + " may not write its state: the version is retired");
        }
        Epoch e = lockEpoch(c, cage, false);
        if (e != null && (fence.epoch() != 0 ? e.epoch() == fence.epoch() : e.version().equals(fence.version()))) {
            return;
        }
        if (fence.vouched()) {
            return; // a request admitted before the switch, while the version drains: the host vouches for it
        }
        if (e == null) {
            throw CageException.unavailable("cage '" + cage + "' version " + fence.version()
                    + " may not write its state: no version of the cage holds the state epoch yet (a version takes it when it becomes active)");
        }
        throw CageException.unavailable("cage '" + cage + "' version " + fence.version() + " may not write its state: version "
                + e.version() + " holds the state epoch (" + e.epoch() + (fence.epoch() != 0 ? "; this version held " + fence.epoch() : "")
                + "). A replaced version may write only from requests it admitted before the switch, until it is retired");
    }

    Map<String, Object> get(Connection c, String cage, String key) throws SQLException {
        Map<String, Object> out = new LinkedHashMap<>();
        try (PreparedStatement s = c.prepareStatement("SELECT field, num, val FROM cage_state WHERE cage = ? AND doc_key = ? ORDER BY field")) {
            s.setString(1, cage);
            s.setString(2, key);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    String field = rs.getString(1);
                    long n = rs.getLong(2);
                    Long number = rs.wasNull() ? null : n; // right after getLong: wasNull is about the last column read
                    out.put(field, StateValues.decode(number, rs.getString(3)));
                }
            }
        }
        return Collections.unmodifiableMap(out);
    }

    void put(Connection c, String cage, String key, List<Map.Entry<String, StateValues.Encoded>> fields) throws SQLException {
        String sql = postgres
                ? "INSERT INTO cage_state (cage, doc_key, field, num, val) VALUES (?, ?, ?, ?, ?) "
                        + "ON CONFLICT (cage, doc_key, field) DO UPDATE SET num = EXCLUDED.num, val = EXCLUDED.val"
                : "MERGE INTO cage_state (cage, doc_key, field, num, val) KEY (cage, doc_key, field) VALUES (?, ?, ?, ?, ?)";
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (Map.Entry<String, StateValues.Encoded> f : fields) {
                s.setString(1, cage);
                s.setString(2, key);
                s.setString(3, f.getKey());
                if (f.getValue().number() != null) {
                    s.setLong(4, f.getValue().number());
                    s.setNull(5, Types.VARCHAR);
                } else {
                    s.setNull(4, Types.BIGINT);
                    s.setString(5, f.getValue().json());
                }
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    void remove(Connection c, String cage, String key, List<String> fields) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM cage_state WHERE cage = ? AND doc_key = ? AND field = ?")) {
            for (String f : fields) {
                s.setString(1, cage);
                s.setString(2, key);
                s.setString(3, f);
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    void delete(Connection c, String cage, String key) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM cage_state WHERE cage = ? AND doc_key = ?")) {
            s.setString(1, cage);
            s.setString(2, key);
            s.executeUpdate();
        }
    }

    /** The new value, or null when the field holds something other than an integral number. */
    Long increment(Connection c, String cage, String key, String field, long delta) throws SQLException {
        if (postgres) {
            // One statement, safe against concurrent first increments (writers only share the epoch row's lock).
            try (PreparedStatement s = c.prepareStatement("INSERT INTO cage_state (cage, doc_key, field, num, val) VALUES (?, ?, ?, ?, NULL) "
                    + "ON CONFLICT (cage, doc_key, field) DO UPDATE SET num = cage_state.num + EXCLUDED.num "
                    + "WHERE cage_state.num IS NOT NULL RETURNING num")) {
                s.setString(1, cage);
                s.setString(2, key);
                s.setString(3, field);
                s.setLong(4, delta);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : null;
                }
            }
        }
        // H2: writers of one cage are serialized by the epoch row's exclusive lock, so update-else-insert is safe.
        try (PreparedStatement s = c.prepareStatement("UPDATE cage_state SET num = num + ? WHERE cage = ? AND doc_key = ? AND field = ? AND num IS NOT NULL")) {
            s.setLong(1, delta);
            s.setString(2, cage);
            s.setString(3, key);
            s.setString(4, field);
            if (s.executeUpdate() == 1) {
                try (PreparedStatement q = c.prepareStatement("SELECT num FROM cage_state WHERE cage = ? AND doc_key = ? AND field = ?")) {
                    q.setString(1, cage);
                    q.setString(2, key);
                    q.setString(3, field);
                    try (ResultSet rs = q.executeQuery()) {
                        rs.next();
                        return rs.getLong(1);
                    }
                }
            }
        }
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM cage_state WHERE cage = ? AND doc_key = ? AND field = ?")) {
            s.setString(1, cage);
            s.setString(2, key);
            s.setString(3, field);
            try (ResultSet rs = s.executeQuery()) {
                if (rs.next()) {
                    return null;
                }
            }
        }
        try (PreparedStatement s = c.prepareStatement("INSERT INTO cage_state (cage, doc_key, field, num, val) VALUES (?, ?, ?, ?, NULL)")) {
            s.setString(1, cage);
            s.setString(2, key);
            s.setString(3, field);
            s.setLong(4, delta);
            s.executeUpdate();
        }
        return delta;
    }
}
