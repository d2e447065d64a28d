package io.cages.host.spi;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts users in and out of something that will be retired (a cage version, a connection pool, a JMS
 * resource), and closes it once the last one left after retirement began, or at a deadline, whichever comes
 * first. The close action runs exactly once, on a virtual thread of its own, never on a user's thread.
 *
 * <pre>{@code
 * if (!drain.tryEnter()) { ... use the replacement ... }
 * try { ... } finally { drain.leave(); }
 * }</pre>
 *
 * <p>Lock-free on the hot path: {@link #tryEnter} and {@link #leave} are one atomic add each. The count and
 * the draining flag live in one word ({@code state}), so "draining began and nobody is inside" is a state that
 * exactly one atomic operation creates (the retirement's, or the last leave's), never a conclusion drawn from
 * two reads. With two separate variables (a count, then a volatile flag) a leave could decrement to zero, be
 * overtaken by users entering and by the retirement, and then read the flag and close under those users.
 */
public final class Drain {

    private static final Logger LOG = LoggerFactory.getLogger(Drain.class);
    /** Set once, by the first {@link #retire}; far above any real count of users. */
    private static final int DRAINING = 1 << 30;
    private static final int COUNT = DRAINING - 1;

    private final String name;
    private final Runnable close;
    /** The {@link #DRAINING} bit, plus the count of users inside in the bits below it. */
    private final AtomicInteger state = new AtomicInteger();
    /** Runs in {@link #leave} between its count-down and acting on it: a no-op but in DrainTest. */
    private final Runnable afterCountDown;
    /** Completed when the count reached zero after draining began, or at the deadline. */
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    /** Written by the first {@link #retire} (under this monitor), before it sets {@link #DRAINING}; read by the close. */
    private volatile Duration grace;

    /**
     * @param name  what is drained, for the closing thread and the log ("cage billing 1.2.0", "jdbc pool ...")
     * @param close what to run once the drain ends; a failure is logged, and the retirement completes anyway
     */
    public Drain(String name, Runnable close) {
        this(name, close, () -> {});
    }

    /** For tests that replay an interleaving inside {@link #leave} (DrainTest). */
    Drain(String name, Runnable close, Runnable afterCountDown) {
        this.name = name;
        this.close = close;
        this.afterCountDown = afterCountDown;
    }

    /** Counts a user in; false once draining began (the caller then uses the replacement, or fails). */
    public boolean tryEnter() {
        if ((state.incrementAndGet() & DRAINING) != 0) {
            leave(); // may be the decrement that finds everyone gone: it then ends the drain itself
            return false;
        }
        return true;
    }

    /** Counts a user out; exactly once for each {@link #tryEnter} that returned true. */
    public void leave() {
        int now = state.decrementAndGet();
        afterCountDown.run();
        if (now == DRAINING) { // draining, and this was the last one inside
            drained.complete(null);
        }
    }

    /** Users inside now (an estimate while they come and go). */
    public int inFlight() {
        return state.get() & COUNT;
    }

    public boolean draining() {
        return (state.get() & DRAINING) != 0;
    }

    /**
     * Refuses new users and closes once the ones inside left, or {@code grace} from now with them still
     * inside. Returns at once; the future completes when the close action finished. Later calls return the
     * same future (the first grace stands).
     */
    public synchronized CompletableFuture<Void> retire(Duration grace) {
        if (!draining()) {
            this.grace = grace;
            drained.thenRun(() -> Thread.ofVirtual().name("retire " + name).start(this::closeOnce));
            if (state.getAndAdd(DRAINING) == 0) { // the count as the flag went up: nobody inside
                drained.complete(null);
            } else {
                drained.completeOnTimeout(null, Math.max(0, grace.toNanos()), TimeUnit.NANOSECONDS);
            }
        }
        return closed;
    }

    private void closeOnce() {
        int left = inFlight();
        if (left > 0) {
            LOG.warn("{}: {} still in use after the drain limit of {} ms; closing anyway", name, left, grace.toMillis());
        }
        try {
            close.run();
        } catch (RuntimeException e) {
            LOG.warn("closing {} failed", name, e);
        } finally { // even after an Error, so no one waits forever for a close that will not come
            closed.complete(null);
        }
    }

    @Override
    public String toString() {
        return "Drain[" + name + ", " + inFlight() + " inside" + (draining() ? ", draining" : "") + "]";
    }
}
