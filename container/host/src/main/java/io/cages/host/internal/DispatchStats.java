package io.cages.host.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** Host-wide request counts, and a wait for all admitted requests to finish (used by shutdown). */
final class DispatchStats {

    private final AtomicLong admitted = new AtomicLong();
    private final AtomicLong finished = new AtomicLong();
    private final AtomicLong executed = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();

    void admitted() {
        admitted.incrementAndGet();
    }

    void executed() {
        executed.incrementAndGet();
    }

    void finished() {
        finished.incrementAndGet();
        if (outstanding() == 0) {
            lock.lock();
            try {
                idle.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    long outstanding() {
        return admitted.get() - finished.get();
    }

    long executedCount() {
        return executed.get();
    }

    /** Waits until no admitted request is outstanding; false when {@code timeoutMs} passed first. */
    boolean awaitIdle(long timeoutMs) throws InterruptedException {
        long nanos = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        lock.lock();
        try {
            while (outstanding() > 0) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = idle.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

}
