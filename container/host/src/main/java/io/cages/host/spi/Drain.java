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
 * <p>Lock-free on the hot path: {@link #tryEnter} is an increment and a volatile read, {@link #leave} a
 * decrement and a volatile read. They and {@link #retire} form a Dekker-style handshake: a user increments
 * {@code inside} and then checks {@code draining}; a retirement sets {@code draining} and then checks
 * {@code inside}. Both are volatile, so at least one side sees the other: either the user backs off (and goes
 * to the replacement) or the retirement waits for it. Likewise a leaving user decrements and then checks
 * {@code draining}: whichever of it and the retirement comes second sees a count of zero and a drain begun.
 */
public final class Drain {

    private static final Logger LOG = LoggerFactory.getLogger(Drain.class);

    private final String name;
    private final Runnable close;
    private final AtomicInteger inside = new AtomicInteger();
    /** Completed when the count reached zero after draining began, or at the deadline. */
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    /** CONCURRENCY: written once, by the first {@link #retire} (under this monitor); read by every enter and leave. */
    private volatile boolean draining;
    /** Written by the first {@link #retire}, before {@link #draining}; read by the close. */
    private volatile Duration grace;

    /**
     * @param name  what is drained, for the closing thread and the log ("cage billing 1.2.0", "jdbc pool ...")
     * @param close what to run once the drain ends; a failure is logged, and the retirement completes anyway
     */
    public Drain(String name, Runnable close) {
        this.name = name;
        this.close = close;
    }

    /** Counts a user in; false once draining began (the caller then uses the replacement, or fails). */
    public boolean tryEnter() {
        inside.incrementAndGet();
        if (draining) {
            leave();
            return false;
        }
        return true;
    }

    /** Counts a user out; exactly once for each {@link #tryEnter} that returned true. */
    public void leave() {
        if (inside.decrementAndGet() == 0 && draining) {
            drained.complete(null);
        }
    }

    /** Users inside now (an estimate while they come and go). */
    public int inFlight() {
        return Math.max(0, inside.get());
    }

    public boolean draining() {
        return draining;
    }

    /**
     * Refuses new users and closes once the ones inside left, or {@code grace} from now with them still
     * inside. Returns at once; the future completes when the close action finished. Later calls return the
     * same future (the first grace stands).
     */
    public synchronized CompletableFuture<Void> retire(Duration grace) {
        if (!draining) {
            this.grace = grace;
            drained.thenRun(() -> Thread.ofVirtual().name("retire " + name).start(this::closeOnce));
            draining = true;
            if (inside.get() == 0) {
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
        return "Drain[" + name + ", " + inFlight() + " inside" + (draining ? ", draining" : "") + "]";
    }
}
