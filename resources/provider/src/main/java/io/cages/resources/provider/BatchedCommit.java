package io.cages.resources.provider;

import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.resources.jdbc.JdbcErrors;
import io.cages.resources.jdbc.JdbcResource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit on one database: the small writes of several threads (durable calls stored outside a transaction,
 * the relay's outcomes) go into one transaction and one commit, and each writer returns only once the commit
 * holding its write has returned, or with the error of its own write.
 *
 * <p>Why: on H2 every commit writes a chunk of the store (and on PostgreSQL flushes the WAL), so the cost is per
 * commit, not per row; one commit per durable call stored and one per outcome made the relay's database the
 * bottleneck. There is no writer thread: a writer queues its write and takes the lock; whoever holds it commits
 * everything queued so far (at most {@value #MAX_BATCH}), so writers arriving during a commit share the next one.
 *
 * <p>A failing write fails no other: when the shared transaction fails it is rolled back and every write of
 * the batch runs again alone, in a commit of its own, and gets its own outcome.
 */
final class BatchedCommit {

    /** One writer's statements; they run in a transaction the batch commits. */
    @FunctionalInterface
    interface Write {
        void apply(Statements statements) throws SQLException;
    }

    /**
     * The statements of one batch on its connection: the same SQL is prepared once per batch rather than once per
     * write (H2 parses an UPDATE again on every prepare; parsing was a tenth of the relay's CPU).
     */
    static final class Statements implements AutoCloseable {
        private final Connection connection;
        private final Map<String, PreparedStatement> prepared = new HashMap<>();

        Statements(Connection connection) {
            this.connection = connection;
        }

        /** A statement for {@code sql}, with no parameters set; do not close it (the batch does). */
        PreparedStatement prepare(String sql) throws SQLException {
            PreparedStatement s = prepared.get(sql);
            if (s == null) {
                s = connection.prepareStatement(sql);
                prepared.put(sql, s);
            } else {
                s.clearParameters();
            }
            return s;
        }

        @Override
        public void close() {
            for (PreparedStatement s : prepared.values()) {
                try {
                    s.close();
                } catch (SQLException e) {
                    // closing the connection (returning it to the pool) closes it too
                }
            }
        }
    }

    static final int MAX_BATCH = 256;

    private record Pending(Write write, Deadline deadline, CompletableFuture<Void> done) {
    }

    private final String database;
    private final Lookup<JdbcResource> databases;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final ReentrantLock committer = new ReentrantLock();
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
    /** Over every batch of this JVM, for the benchmark's commits per durable call. */
    private static final LongAdder ALL_COMMITS = new LongAdder();
    private static final LongAdder ALL_WRITES = new LongAdder();

    BatchedCommit(String database, Lookup<JdbcResource> databases) {
        this.database = database;
        this.databases = databases;
    }

    /**
     * Runs {@code write} in a commit shared with other writers and returns once that commit returned.
     *
     * @throws CageException as {@link JdbcResource#use} would for this write alone
     */
    void write(Deadline deadline, Write write) throws CageException {
        Pending mine = new Pending(write, deadline, new CompletableFuture<>());
        queue.add(mine);
        while (!mine.done().isDone()) {
            committer.lock();
            try {
                if (!mine.done().isDone()) {
                    commitQueued();
                }
            } finally {
                committer.unlock();
            }
        }
        try {
            mine.done().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof CageException c ? c : CageException.internal("durable call write failed: " + e.getCause(), e.getCause());
        }
    }

    /** Commits so far, and writes in them (a write run again alone after a failed batch counts once more). */
    long commits() {
        return commits.get();
    }

    long writes() {
        return writes.get();
    }

    /** Commits of every batch in this JVM so far (DurableCallsBench divides them by its calls). */
    static long commitsInThisJvm() {
        return ALL_COMMITS.sum();
    }

    static long writesInThisJvm() {
        return ALL_WRITES.sum();
    }

    /** Writes waiting for a commit (not yet taken into one). */
    int queued() {
        return queue.size();
    }

    /** Under the lock: every write taken from the queue is completed before this returns, whatever happens. */
    private void commitQueued() {
        List<Pending> batch = new ArrayList<>();
        for (Pending p; batch.size() < MAX_BATCH && (p = queue.poll()) != null; ) {
            batch.add(p);
        }
        if (batch.isEmpty()) {
            return;
        }
        try {
            Deadline latest = batch.getFirst().deadline();
            for (Pending p : batch) {
                latest = p.deadline().compareTo(latest) > 0 ? p.deadline() : latest;
            }
            JdbcResource resource = databases.get(database);
            try (Connection c = resource.connection(latest); Statements statements = new Statements(c)) {
                c.setAutoCommit(false);
                try {
                    if (!commitTogether(c, statements, batch)) {
                        commitAlone(c, statements, batch);
                    }
                } finally {
                    c.setAutoCommit(true);
                }
            }
        } catch (CageException e) {
            failRest(batch, e);
        } catch (SQLException e) {
            failRest(batch, JdbcErrors.translate(database, batch.getFirst().deadline(), e));
        } catch (RuntimeException | Error e) {
            failRest(batch, CageException.internal("durable call write failed: " + e, e));
            throw e;
        } finally {
            failRest(batch, CageException.internal("durable call write was not committed", null)); // never left waiting
        }
    }

    private boolean commitTogether(Connection c, Statements statements, List<Pending> batch) {
        try {
            for (Pending p : batch) {
                p.write().apply(statements);
            }
            c.commit();
        } catch (SQLException e) {
            DurableCalls.rollbackQuietly(c);
            if (batch.size() > 1) {
                return false;
            }
            completeWith(batch.getFirst(), e);
            return true;
        }
        commits.incrementAndGet();
        writes.addAndGet(batch.size());
        ALL_COMMITS.increment();
        ALL_WRITES.add(batch.size());
        for (Pending p : batch) {
            p.done().complete(null);
        }
        return true;
    }

    /** After a failed shared commit: which write failed is not known, so each runs alone and gets its own outcome. */
    private void commitAlone(Connection c, Statements statements, List<Pending> batch) {
        for (Pending p : batch) {
            try {
                p.write().apply(statements);
                c.commit();
                commits.incrementAndGet();
                writes.incrementAndGet();
                ALL_COMMITS.increment();
                ALL_WRITES.increment();
                p.done().complete(null);
            } catch (SQLException e) {
                DurableCalls.rollbackQuietly(c);
                completeWith(p, e);
            }
        }
    }

    private void completeWith(Pending p, SQLException e) {
        p.done().completeExceptionally(JdbcErrors.translate(database, p.deadline(), e));
    }

    private static void failRest(List<Pending> batch, CageException e) {
        for (Pending p : batch) {
            p.done().completeExceptionally(e);
        }
    }
}
