package io.cages.transport.jobs.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real time: one platform thread that only starts runs (each run is dispatched, so the handler runs on its own
 * virtual thread). A wall-clock jump is seen at the next tick: delays are computed from the clock each time.
 */
public final class SystemTicker implements Ticker, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SystemTicker.class);

    private final Clock clock;
    private final ScheduledExecutorService timer;

    public SystemTicker(Clock clock) {
        this.clock = clock;
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "cages-jobs-ticker");
            thread.setDaemon(true);
            return thread;
        });
        t.setRemoveOnCancelPolicy(true); // a reload cancels many ticks: do not keep them queued
        this.timer = t;
    }

    @Override
    public Instant now() {
        return clock.instant();
    }

    @Override
    public Scheduled schedule(Instant at, Runnable task) {
        long delayNanos = Math.max(0, Duration.between(now(), at).toNanos());
        ScheduledFuture<?> f = timer.schedule(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("job tick failed", e); // one broken tick must not end the ticker thread's other jobs
            }
        }, delayNanos, TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
