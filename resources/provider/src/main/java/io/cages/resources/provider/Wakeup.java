package io.cages.resources.provider;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes the relay: a wake-up sent while it is busy is kept, so the next wait returns at once (nothing stored
 * waits for the poll). A ReentrantLock and Condition rather than a monitor: the relay is a virtual thread, and
 * waiting on a lock parks it without holding its carrier on every JDK the host supports.
 */
final class Wakeup {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition woken = lock.newCondition();
    private boolean pending; // guarded by lock

    void wake() {
        lock.lock();
        try {
            pending = true;
            woken.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until woken (or a wake-up came since the last wait) or {@code millis} passed; clears the wake-up. */
    void await(long millis) throws InterruptedException {
        lock.lock();
        try {
            long nanos = TimeUnit.MILLISECONDS.toNanos(millis);
            while (!pending && nanos > 0) {
                nanos = woken.awaitNanos(nanos);
            }
            pending = false;
        } finally {
            lock.unlock();
        }
    }
}
