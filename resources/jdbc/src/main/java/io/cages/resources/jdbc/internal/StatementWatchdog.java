package io.cages.resources.jdbc.internal;

import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cancels statements of one pool that are still running at their request deadline, with
 * {@link Statement#cancel()} from a virtual thread (one per pool, stopped with the pool).
 *
 * <p>Why not pgjdbc's own millisecond query timeout: it schedules a task on the driver's shared
 * {@code java.util.Timer} for every execution and cancels and purges it afterwards, all under the timer's
 * lock; when the new task is the earliest (always, for a caller that runs one statement at a time) the timer
 * thread is woken for it. Measured here: 6-13 us of wall time per statement on a 45 us {@code SELECT 1}.
 * Watching costs a set insert and remove: the watchdog sleeps until the earliest deadline it knows, and at
 * most {@link #TICK_NANOS} when it knows none, so a statement whose deadline is later than its next wake-up
 * (the usual case: deadlines are seconds) does not wake it.
 *
 * <p>Cancelling is safe against races in pgjdbc: {@code PgStatement.cancel()} does nothing unless the
 * statement is executing, and an execution that is being cancelled waits for the cancel request to complete
 * before it returns, so a late cancel cannot hit the connection's next statement. A cancel that found the
 * statement not started yet is repeated every {@link #RETRY_NANOS} while it is watched. Each cancel runs on its
 * own virtual thread: pgjdbc opens a connection to the server for it, which must not hold up the others.
 */
final class StatementWatchdog {

    private static final Logger LOG = LoggerFactory.getLogger(StatementWatchdog.class);
    /** Longest sleep; a watch due later than the watchdog's next wake-up does not wake it. */
    static final long TICK_NANOS = TimeUnit.SECONDS.toNanos(1);
    static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** What {@link #plannedWake} says while the watchdog scans: "awake", so every new watch wakes it again. */
    private static final long SCANNING_NANOS = TimeUnit.HOURS.toNanos(1);

    private final String name;
    private final Set<Watch> watches = ConcurrentHashMap.newKeySet();
    /**
     * CONCURRENCY: when the watchdog will look next (System.nanoTime()). A new watch due earlier unparks it.
     * Written by the watchdog before it scans (far future: during a scan every new watch unparks it, and the
     * unpark makes the coming park return at once) and after (the earliest due it found, or a tick), so no
     * watch added during a scan can be overslept.
     */
    private volatile long plannedWake;
    private volatile boolean stopped;
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile Thread thread;

    StatementWatchdog(String name) {
        this.name = name;
        this.plannedWake = System.nanoTime();
    }

    /** One execution being watched; close it when the execution returns. */
    final class Watch implements AutoCloseable {
        private final Statement statement;
        private final long due;
        private final AtomicBoolean cancelling = new AtomicBoolean();

        private Watch(Statement statement, long due) {
            this.statement = statement;
            this.due = due;
        }

        @Override
        public void close() {
            watches.remove(this);
        }
    }

    /** Cancels {@code statement} if it still runs at {@code dueNanos} (System.nanoTime()) until the watch is closed. */
    Watch watch(Statement statement, long dueNanos) {
        Watch w = new Watch(statement, dueNanos);
        watches.add(w);
        if (!started.get()) {
            start();
        }
        if (dueNanos - plannedWake < 0) {
            LockSupport.unpark(thread);
        }
        return w;
    }

    void stop() {
        stopped = true;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Started on first use. A watch added before {@link #thread} is set is seen by the thread's first scan. */
    private void start() {
        if (started.compareAndSet(false, true)) {
            thread = Thread.ofVirtual().name("jdbc-deadline-" + name).start(this::run);
        }
    }

    private void run() {
        while (!stopped) {
            long now = System.nanoTime();
            plannedWake = now + SCANNING_NANOS;
            long next = now + TICK_NANOS;
            for (Watch w : watches) {
                if (w.due - now <= 0) {
                    cancel(w);
                    next = earlier(next, now + RETRY_NANOS);
                } else {
                    next = earlier(next, w.due);
                }
            }
            plannedWake = next;
            long sleep = next - System.nanoTime();
            if (sleep > 0 && !stopped) {
                LockSupport.parkNanos(this, sleep);
            }
        }
    }

    private void cancel(Watch w) {
        if (!w.cancelling.compareAndSet(false, true)) {
            return; // one cancel at a time per watch
        }
        Thread.ofVirtual().name("jdbc-cancel-" + name).start(() -> {
            try {
                // The driver's statement: HikariCP's proxy would judge a failed cancel from this thread.
                w.statement.unwrap(Statement.class).cancel();
            } catch (SQLException | RuntimeException e) {
                LOG.debug("jdbc resource {}: cancelling a statement at its deadline failed", name, e);
            } finally {
                w.cancelling.set(false);
            }
        });
    }

    private static long earlier(long a, long b) {
        return a - b <= 0 ? a : b;
    }
}
