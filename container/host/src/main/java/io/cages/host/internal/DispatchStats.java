package io.cages.host.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Host-wide request counts, and a wait for all admitted requests to finish (used by shutdown). Counters are
 * striped (LongAdder) because every request on every thread touches them; the idle signal is only sent
 * while someone waits for it.
 */
final class DispatchStats {

    private final LongAdder admitted = new LongAdder();
    private final LongAdder finished = new LongAdder();
    private final LongAdder executed = new LongAdder();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    private volatile boolean awaited;

    void admitted() {
        admitted.increment();
    }

    void executed() {
        executed.increment();
    }

    void finished() {
        finished.increment();
        if (awaited && outstanding() == 0) {
            lock.lock();
            try {
                idle.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    long outstanding() {
        // Read finished first: a request admitted and finished between the two reads can then only make the
        // result larger, never falsely zero.
        long done = finished.sum();
        return admitted.sum() - done;
    }

    long executedCount() {
        return executed.sum();
    }

    /** Waits until no admitted request is outstanding; false when {@code timeoutMs} passed first. */
    boolean awaitIdle(long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        lock.lock();
        try {
            awaited = true;
            while (outstanding() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                // Bounded waits: a finish that raced with setting 'awaited' is seen on the next round.
                idle.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
            }
            return true;
        } finally {
            lock.unlock();
        }
    }
}
