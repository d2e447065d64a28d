package io.cages.transport.jms.internal;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Pauses between retries: {@code initialMs}, doubling up to {@code maxMs}, back to {@code initialMs} on
 * {@link #reset()} (after a success). Each pause is spread by up to a fifth either way, so that many clients
 * that lost the same broker at the same moment do not all come back at the same moment. One owner at a time
 * (a thread, or a caller holding a lock).
 */
final class Backoff {

    private final long initialMs;
    private final long maxMs;
    private long nextMs;

    Backoff(long initialMs, long maxMs) {
        if (initialMs <= 0 || maxMs < initialMs) {
            throw new IllegalArgumentException("back-off needs 0 < initial <= max, was " + initialMs + ".." + maxMs);
        }
        this.initialMs = initialMs;
        this.maxMs = maxMs;
        this.nextMs = initialMs;
    }

    /** The pause before the next retry, in milliseconds; the one after it is twice as long (up to the cap). */
    long next() {
        long base = nextMs;
        nextMs = Math.min(maxMs, nextMs * 2);
        long spread = base / 5;
        return spread == 0 ? base : base - spread + ThreadLocalRandom.current().nextLong(2 * spread + 1);
    }

    void reset() {
        nextMs = initialMs;
    }

    long initialMs() {
        return initialMs;
    }

    long maxMs() {
        return maxMs;
    }
}
