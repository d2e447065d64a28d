package io.cages.transport.flock;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Retries as a share of calls over a sliding window, so that a failing flock is not hit by a retry storm:
 * a retry is allowed while retries stay within {@code ratio} of the calls of the last {@code windowMs}, or
 * within {@code minRetries}. Counted in ten buckets; slightly imprecise at bucket edges, never unbounded.
 */
final class RetryBudget {

    private static final int BUCKETS = 10;

    private final double ratio;
    private final int minRetries;
    private final long bucketMs;
    // Per bucket: the epoch (bucket number) it counts for, calls and retries.
    private final AtomicLongArray epochs = new AtomicLongArray(BUCKETS);
    private final AtomicLongArray calls = new AtomicLongArray(BUCKETS);
    private final AtomicLongArray retries = new AtomicLongArray(BUCKETS);

    RetryBudget(double ratio, int minRetries, long windowMs) {
        this.ratio = ratio;
        this.minRetries = minRetries;
        this.bucketMs = Math.max(1, windowMs / BUCKETS);
    }

    void recordCall() {
        calls.incrementAndGet(current());
    }

    /** Takes one retry from the budget; false when the budget is spent. */
    boolean tryRetry() {
        int bucket = current();
        long allowed = Math.max(minRetries, (long) Math.floor(ratio * sum(calls)));
        if (sum(retries) + 1 > allowed) {
            return false;
        }
        retries.incrementAndGet(bucket);
        return true;
    }

    long retries() {
        current();
        return sum(retries);
    }

    /** The bucket for now, cleared first if it last counted an older epoch. */
    private int current() {
        long epoch = System.nanoTime() / 1_000_000 / bucketMs;
        int bucket = (int) (epoch % BUCKETS);
        long seen = epochs.get(bucket);
        if (seen != epoch && epochs.compareAndSet(bucket, seen, epoch)) {
            calls.set(bucket, 0);
            retries.set(bucket, 0);
        }
        return bucket;
    }

    private long sum(AtomicLongArray counts) {
        long epoch = System.nanoTime() / 1_000_000 / bucketMs;
        long total = 0;
        for (int i = 0; i < BUCKETS; i++) {
            if (epoch - epochs.get(i) < BUCKETS) {
                total += counts.get(i);
            }
        }
        return total;
    }
}
