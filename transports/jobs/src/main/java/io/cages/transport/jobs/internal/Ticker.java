package io.cages.transport.jobs.internal;

import java.time.Instant;

/**
 * Time as the jobs see it: what time it is, and "run this at that instant". The transport uses
 * {@link SystemTicker}; tests use a fake one they advance by hand, so schedules are checked without sleeping.
 */
public interface Ticker {

    Instant now();

    /** Runs {@code task} at {@code at} (at once when it is past), on the ticker's thread. */
    Scheduled schedule(Instant at, Runnable task);

    /** A task that may still be cancelled. */
    interface Scheduled {
        void cancel();
    }
}
