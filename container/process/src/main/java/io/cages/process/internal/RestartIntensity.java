package io.cages.process.internal;

import java.util.ArrayDeque;

/**
 * OTP's restart intensity: more than {@code max} crashes within {@code window} means the program cannot run, and
 * restarting it again would only be a storm. Between restarts the delay doubles (0, 100 ms, 200 ms, ... 5 s).
 * Not thread-safe: the pool calls it under its lock.
 */
final class RestartIntensity {

    private static final long FIRST_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 5_000;

    private final int max;
    private final long windowNanos;
    private final ArrayDeque<Long> crashes = new ArrayDeque<>();

    RestartIntensity(int max, long windowSeconds) {
        this.max = max;
        this.windowNanos = windowSeconds * 1_000_000_000L;
    }

    /** Records a crash; true when the crashes in the window now exceed the limit. */
    boolean crashedTooOften() {
        long now = System.nanoTime();
        crashes.addLast(now);
        while (!crashes.isEmpty() && now - crashes.peekFirst() > windowNanos) {
            crashes.pollFirst();
        }
        return crashes.size() > max;
    }

    /** The delay before the next restart: none after the first crash in the window, then doubling. */
    long backoffMs() {
        int recent = crashes.size();
        if (recent <= 1) {
            return 0;
        }
        return Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS << Math.min(20, recent - 2));
    }

    int recent() {
        return crashes.size();
    }
}
