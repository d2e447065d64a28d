package io.cages.transport.flock;

import io.cages.transport.flock.CallRouter;

/**
 * How {@link CallRouter} retries.
 *
 * @param retryRatio       retries allowed as a share of calls over the window (0.1: at most one retry per ten calls)
 * @param minRetries       retries allowed in any window whatever the traffic, so a quiet caller can still fail over
 * @param windowMs         the window the budget counts over
 * @param ejectMs          how long a copy whose connection failed is skipped (unless no other copy is left)
 * @param maxAttempts      attempts per call at most, the first included
 */
public record RouterSettings(double retryRatio, int minRetries, long windowMs, long ejectMs, int maxAttempts) {

    public RouterSettings {
        if (retryRatio < 0 || retryRatio > 1) {
            throw new IllegalArgumentException("retryRatio must be between 0 and 1, was " + retryRatio);
        }
        if (minRetries < 0) {
            throw new IllegalArgumentException("minRetries must be 0 or more, was " + minRetries);
        }
        if (windowMs <= 0 || ejectMs < 0) {
            throw new IllegalArgumentException("windowMs must be positive and ejectMs 0 or more");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
    }

    public static RouterSettings defaults() {
        return new RouterSettings(0.1, 10, 10_000, 3_000, 3);
    }
}
