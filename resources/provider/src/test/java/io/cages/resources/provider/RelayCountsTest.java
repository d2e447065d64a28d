package io.cages.resources.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.host.admin.DurableCallCounts;
import io.cages.resources.jdbc.JdbcResource;
import io.cages.resources.jdbc.PoolMetrics;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The durable call counts for the metrics: summed over outboxes, cached against fast scrapers, kept when a database fails. */
class RelayCountsTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final RelayCounts counts = new RelayCounts(now::get);
    private final Map<String, Outbox> outboxes = new HashMap<>();

    @Test
    void storedCallsAreSummedPerCageAndStatusOverEveryOutboxAndCachedForAFewSeconds() throws Exception {
        Outbox own = outbox("own");
        Outbox orders = outbox("orders");
        own.insert("a", "billing", "pending");
        own.insert("b", "billing", "done");
        orders.insert("c", "billing", "pending");
        orders.insert("d", "mail", "failed");

        assertEquals(Map.of("billing/pending", 2L, "billing/done", 1L, "mail/failed", 1L), stored(snapshot()));
        assertEquals(1, own.reads.get());

        own.insert("e", "billing", "pending");
        now.addAndGet(RelayCounts.CACHE_MS - 1);
        assertEquals(2L, stored(snapshot()).get("billing/pending"), "a scrape within the cache time gets the cached counts");
        assertEquals(1, own.reads.get(), "and reads no database");

        now.addAndGet(1);
        assertEquals(3L, stored(snapshot()).get("billing/pending"));
        assertEquals(2, own.reads.get());
    }

    @Test
    void aDatabaseThatCannotBeCountedKeepsItsLastCounts() throws Exception {
        Outbox orders = outbox("orders");
        orders.insert("a", "billing", "pending");
        assertEquals(Map.of("billing/pending", 1L), stored(snapshot()));

        orders.down = true;
        now.addAndGet(RelayCounts.CACHE_MS);
        assertEquals(Map.of("billing/pending", 1L), stored(snapshot()));
    }

    @Test
    void theRelaysOutcomesAreCountedByStatus() {
        for (String status : List.of("done", "done", "pending", "failed", "expired", "expired", "expired")) {
            counts.recorded(status);
        }
        DurableCallCounts c = snapshot();
        assertEquals(2, c.delivered());
        assertEquals(1, c.retried());
        assertEquals(1, c.failed());
        assertEquals(3, c.expired());
        assertEquals(4, c.inFlight());
    }

    private DurableCallCounts snapshot() {
        return counts.snapshot(List.copyOf(outboxes.keySet()), name -> outboxes.get(name), 4);
    }

    private static Map<String, Long> stored(DurableCallCounts c) {
        Map<String, Long> out = new HashMap<>();
        c.stored().forEach(s -> out.put(s.cage() + "/" + s.status(), s.calls()));
        return out;
    }

    private Outbox outbox(String name) throws SQLException {
        Outbox o = new Outbox(name);
        try (Connection c = o.open()) {
            DurableSql.createOutbox(c);
        }
        outboxes.put(name, o);
        return o;
    }

    /** An in-memory H2 outbox that counts the connections the counts borrow. */
    private static final class Outbox implements JdbcResource {
        private static final AtomicInteger DATABASES = new AtomicInteger();
        private final String name;
        private final String url = "jdbc:h2:mem:relay-counts-" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1";
        final AtomicInteger reads = new AtomicInteger();
        volatile boolean down;

        Outbox(String name) {
            this.name = name;
        }

        Connection open() throws SQLException {
            return DriverManager.getConnection(url, "sa", "");
        }

        void insert(String id, String cage, String status) throws SQLException {
            try (Connection c = open(); Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO " + DurableSql.OUTBOX + " (id, caller, cage, operation, call_key, params, status, attempts,"
                        + " created_at, next_attempt_at, expires_at) VALUES ('" + id + "', 'test', '" + cage + "', 'op', '" + id
                        + "', '{}', '" + status + "', 0, 0, 0, 0)");
            }
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Connection connection(Deadline deadline) throws CageException {
            if (down) {
                throw CageException.unavailable("database '" + name + "' is down");
            }
            reads.incrementAndGet();
            try {
                return open();
            } catch (SQLException e) {
                throw CageException.unavailable(e.getMessage());
            }
        }

        @Override
        public PoolMetrics metrics() {
            return null;
        }
    }
}
