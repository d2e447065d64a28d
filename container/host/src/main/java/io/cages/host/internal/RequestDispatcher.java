package io.cages.host.internal;

import io.cages.api.CageException;
import io.cages.api.ErrorCode;
import io.cages.api.Deadline;
import io.cages.host.spi.Dispatcher;
import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.RefusedException;
import io.cages.host.spi.Reply;
import io.netty.util.HashedWheelTimer;
import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Admission, deadlines and virtual threads for every request of every transport. */
final class RequestDispatcher implements Dispatcher {

    /** Deadline precision: a timed-out request is answered at most this much after its deadline. */
    static final long DEADLINE_TICK_MS = 5;

    private final CageRegistry registry;
    private final DispatchStats stats = new DispatchStats();
    private final RequestEvents events;
    // Unnamed: numbering every request's thread was a measurable cost on the hot path.
    private final ThreadFactory threads = Thread.ofVirtual().factory();
    /**
     * Deadline timers. A hashed wheel makes scheduling and cancelling a per-request timer a lock-free queue
     * operation (most are cancelled: requests usually answer in time), at the price of firing up to one
     * tick late.
     */
    private final HashedWheelTimer deadlines;
    private final String idPrefix = String.format("%08x", new SecureRandom().nextInt());
    private final AtomicLong ids = new AtomicLong();
    private volatile boolean accepting = true;
    private final HostResources resources;
    private final CallPermissions permissions;
    /** Where each request's span goes once it is answered; {@link SpanExport#NONE} unless tracing is configured. */
    private volatile SpanExport spans = SpanExport.NONE;

    RequestDispatcher(CageRegistry registry, RequestEvents events, HostResources resources, CallPermissions permissions) {
        this.permissions = permissions;
        this.registry = registry;
        this.events = events;
        this.resources = resources;
        this.deadlines = new HashedWheelTimer(r -> {
            Thread t = new Thread(r, "cages-deadlines");
            t.setDaemon(true);
            return t;
        }, DEADLINE_TICK_MS, TimeUnit.MILLISECONDS, 1024);
    }

    @Override
    public String newRequestId() {
        return idPrefix + "-" + Long.toHexString(ids.incrementAndGet());
    }

    @Override
    public CompletableFuture<Reply> dispatch(InboundRequest in) {
        if (!accepting) {
            events.refused(in, false, ErrorCode.UNAVAILABLE);
            return CompletableFuture.failedFuture(new RefusedException(ErrorCode.UNAVAILABLE, "the host is shutting down; not executed"));
        }
        CageSlot slot = registry.get(in.cage());
        if (slot == null || slot.active() == null) {
            events.refused(in, false, ErrorCode.NOT_FOUND);
            return CompletableFuture.failedFuture(new RefusedException(ErrorCode.NOT_FOUND, "no cage named '" + in.cage() + "' is deployed"));
        }
        // After the lookup (an unknown cage answers NOT_FOUND to anyone), before admission (a forbidden call
        // takes no place in the cage's queue). A CageException, not a refusal: another copy would refuse too.
        String forbidden = permissions.refusal(in);
        if (forbidden != null) {
            events.refused(in, true, ErrorCode.FORBIDDEN);
            return CompletableFuture.failedFuture(new CageException(ErrorCode.FORBIDDEN, forbidden));
        }
        long limitMs = slot.limits().timeoutMs();
        Deadline deadline = Deadline.afterMillis(limitMs).earliest(in.deadline());
        // Rounded up, so a caller that gave 300 ms reads "300 ms" in the error, not 299.
        long budgetMs = in.deadline() == null ? limitMs : Math.min(limitMs, (in.deadline().remainingNanos() + 999_999) / 1_000_000);
        if (deadline.isExpired()) {
            events.refused(in, true, ErrorCode.DEADLINE_EXCEEDED);
            return CompletableFuture.failedFuture(new RefusedException(ErrorCode.DEADLINE_EXCEEDED,
                    "the request to cage '" + in.cage() + "' arrived with its deadline already passed; not executed"));
        }
        RequestTask task = new RequestTask(in, deadline, budgetMs, slot, threads, deadlines, stats, events, resources, spans);
        stats.admitted();
        if (!slot.gate().admit(task)) {
            task.result.completeExceptionally(new RefusedException(ErrorCode.UNAVAILABLE, "cage '" + in.cage() + "' is at its limit of "
                    + slot.gate().maxConcurrency() + " running and " + slot.gate().maxQueue() + " queued requests; retry later"));
            task.refuse();
        }
        return task.result;
    }

    void exportSpans(SpanExport export) {
        spans = export;
    }

    SpanExport spans() {
        return spans;
    }

    long executedCount() {
        return stats.executedCount();
    }

    void stopAccepting() {
        accepting = false;
    }

    boolean awaitIdle(long timeoutMs) throws InterruptedException {
        return stats.awaitIdle(timeoutMs);
    }

    void close() {
        deadlines.stop();
        spans.close(); // sends what is still queued
    }
}
