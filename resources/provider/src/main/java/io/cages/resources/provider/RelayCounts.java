package io.cages.resources.provider;

import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.host.admin.DurableCallCounts;
import io.cages.resources.jdbc.JdbcResource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the host's metrics report of durable calls: the relay's outcomes, counted in memory as it records them,
 * and the stored calls per (cage, status), from one GROUP BY per outbox database. The outbox counts are cached
 * for {@value #CACHE_MS} ms so a fast scraper cannot hammer the databases, and each query is bounded by
 * {@value #QUERY_TIMEOUT_MS} ms; a database that does not answer in time keeps its last counts.
 */
final class RelayCounts {

    private static final Logger LOG = LoggerFactory.getLogger(RelayCounts.class);
    static final long CACHE_MS = 5_000;
    static final long QUERY_TIMEOUT_MS = 2_000;

    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong expired = new AtomicLong();
    // CONCURRENCY: guarded by this (snapshot is synchronized): one scrape queries, the others wait for its answer.
    private final Map<String, List<DurableCallCounts.Stored>> byDatabase = new HashMap<>();
    private final LongSupplier clock;
    private long countedAt;
    private List<DurableCallCounts.Stored> stored = List.of();

    RelayCounts() {
        this(System::currentTimeMillis);
    }

    RelayCounts(LongSupplier clock) {
        this.clock = clock;
    }

    /** The relay recorded an attempt's outcome ({@code status}: done, pending for a retry, failed, expired). */
    void recorded(String status) {
        switch (status) {
            case "done" -> delivered.incrementAndGet();
            case "pending" -> retried.incrementAndGet();
            case "failed" -> failed.incrementAndGet();
            case "expired" -> expired.incrementAndGet();
            default -> {
            }
        }
    }

    synchronized DurableCallCounts snapshot(List<String> outboxes, Lookup<JdbcResource> databases, int inFlight) {
        long now = clock.getAsLong();
        if (countedAt == 0 || now - countedAt >= CACHE_MS) {
            stored = count(outboxes, databases);
            countedAt = now;
        }
        return new DurableCallCounts(stored, inFlight, delivered.get(), retried.get(), failed.get(), expired.get());
    }

    private List<DurableCallCounts.Stored> count(List<String> outboxes, Lookup<JdbcResource> databases) {
        byDatabase.keySet().retainAll(outboxes);
        Deadline deadline = Deadline.afterMillis(QUERY_TIMEOUT_MS);
        for (String database : outboxes) {
            try {
                byDatabase.put(database, databases.get(database).use(deadline, DurableSql::countByCageAndStatus));
            } catch (CageException | RuntimeException e) {
                LOG.debug("durable calls: cannot count the outbox of '{}' for the metrics; its last counts stay", database, e);
            }
        }
        // Calls to one cage may wait in several outboxes: one row per (cage, status).
        Map<List<String>, Long> sums = new LinkedHashMap<>();
        byDatabase.values().forEach(rows -> rows.forEach(r -> sums.merge(List.of(r.cage(), r.status()), r.calls(), Long::sum)));
        List<DurableCallCounts.Stored> out = new ArrayList<>();
        sums.forEach((k, n) -> out.add(new DurableCallCounts.Stored(k.get(0), k.get(1), n)));
        return out;
    }
}
