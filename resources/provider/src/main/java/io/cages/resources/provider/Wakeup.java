package io.cages.resources.provider;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes the relay, for one of two reasons: calls were handed to it (deliver those), or the outboxes should be
 * read again (an operator's retry, a failed read). A wake-up sent while the relay is busy is kept, so its next
 * wait returns at once: nothing stored waits for the poll. A ReentrantLock and Condition rather than a monitor:
 * the relay is a virtual thread, and waiting on a lock parks it without holding its carrier on every JDK the
 * host supports.
 */
final class Wakeup {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition woken = lock.newCondition();
    private boolean signalled; // guarded by lock
    private boolean readOutboxes; // guarded by lock

    /** Wakes the relay; {@code readOutboxes}: it should read the due rows of every outbox, not only take what was handed to it. */
    void wake(boolean readOutboxes) {
        lock.lock();
        try {
            signalled = true;
            this.readOutboxes |= readOutboxes;
            woken.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until woken (or a wake-up came since the last wait) or {@code millis} passed, and clears the wake-up.
     *
     * @return whether a wake-up since the last wait asked to read the outboxes
     */
    boolean await(long millis) throws InterruptedException {
        lock.lock();
        try {
            long nanos = TimeUnit.MILLISECONDS.toNanos(millis);
            while (!signalled && nanos > 0) {
                nanos = woken.awaitNanos(nanos);
            }
            boolean read = readOutboxes;
            signalled = false;
            readOutboxes = false;
            return read;
        } finally {
            lock.unlock();
        }
    }
}
