package io.cages.host.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Per-cage admission control: at most {@code maxConcurrency} requests run, at most {@code maxQueue} wait,
 * anything more is refused at once. Never blocks the caller.
 */
final class AdmissionGate {

    private final int maxConcurrency;
    private final int maxQueue;
    private final ReentrantLock lock = new ReentrantLock();
    // CONCURRENCY: running and waiting are guarded by lock.
    private int running;
    private final ArrayDeque<RequestTask> waiting = new ArrayDeque<>();

    AdmissionGate(int maxConcurrency, int maxQueue) {
        this.maxConcurrency = maxConcurrency;
        this.maxQueue = maxQueue;
    }

    /** Starts the task now, queues it, or returns false when both running and waiting are full. */
    boolean admit(RequestTask task) {
        lock.lock();
        try {
            if (running < maxConcurrency) {
                running++;
            } else if (waiting.size() < maxQueue) {
                task.armDeadline(); // before it is visible in the queue: its deadline runs while it waits
                waiting.addLast(task);
                return true;
            } else {
                return false;
            }
        } finally {
            lock.unlock();
        }
        task.start(true);
        return true;
    }

    /** Called when a running task ends: hands its slot to the next waiting task that is still wanted. */
    void release() {
        RequestTask next;
        List<RequestTask> expired = null;
        lock.lock();
        try {
            // Tasks whose caller already got an answer (deadline passed while queued) are dropped here.
            while ((next = waiting.pollFirst()) != null && next.isAnswered()) {
                if (expired == null) {
                    expired = new ArrayList<>();
                }
                expired.add(next);
            }
            if (next == null) {
                running--;
            }
        } finally {
            lock.unlock();
        }
        if (expired != null) {
            expired.forEach(RequestTask::abandon);
        }
        if (next != null) {
            next.start(false);
        }
    }

    /** Takes a waiting task out of the queue (its deadline passed); false when it already started. */
    boolean withdraw(RequestTask task) {
        lock.lock();
        try {
            return waiting.remove(task);
        } finally {
            lock.unlock();
        }
    }

    int running() {
        lock.lock();
        try {
            return running;
        } finally {
            lock.unlock();
        }
    }

    int queued() {
        lock.lock();
        try {
            return waiting.size();
        } finally {
            lock.unlock();
        }
    }

    int maxConcurrency() {
        return maxConcurrency;
    }

    int maxQueue() {
        return maxQueue;
    }
}
