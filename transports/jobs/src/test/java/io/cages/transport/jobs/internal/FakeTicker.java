package io.cages.transport.jobs.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.PriorityQueue;

/** Time that moves only when a test says so; due tasks run on the test's thread, in time order. */
final class FakeTicker implements Ticker {

    private record Task(Instant at, long seq, Runnable run) {
    }

    private Instant now;
    private long seq;
    private final PriorityQueue<Task> tasks = new PriorityQueue<>(Comparator.comparing(Task::at).thenComparingLong(Task::seq));

    FakeTicker(Instant start) {
        this.now = start;
    }

    @Override
    public synchronized Instant now() {
        return now;
    }

    @Override
    public synchronized Scheduled schedule(Instant at, Runnable run) {
        Task task = new Task(at, seq++, run);
        tasks.add(task);
        return () -> {
            synchronized (this) {
                tasks.remove(task);
            }
        };
    }

    /** Moves time forward by {@code d}, running every task due on the way at its own instant. */
    void advance(Duration d) {
        Instant target;
        synchronized (this) {
            target = now.plus(d);
        }
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.peek();
                if (next == null || next.at().isAfter(target)) {
                    now = target;
                    return;
                }
                tasks.poll();
                if (next.at().isAfter(now)) {
                    now = next.at();
                }
            }
            next.run().run();
        }
    }

    /** Runs what is due now without moving time. */
    void runDue() {
        advance(Duration.ZERO);
    }
}
