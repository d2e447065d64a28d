package io.cages.host.internal;

import io.cages.api.ErrorCode;
import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.Reply;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Request events that arrive before the metrics are built (they are built on a thread of their own while the
 * host starts) are kept, and handed over once they are: every request is counted, and the start never waits.
 * What is kept is bounded by asking for the metrics at once when {@code hurryAt} events are waiting (a burst
 * of traffic right after the start), instead of keeping every event until the planned time.
 */
final class DeferredEvents implements RequestEvents {

    private final ConcurrentLinkedQueue<Consumer<RequestEvents>> early = new ConcurrentLinkedQueue<>();
    private final AtomicInteger kept = new AtomicInteger();
    private final int hurryAt;
    private final Runnable hurry;
    private volatile RequestEvents target;

    /**
     * @param hurryAt how many kept events make this ask for the metrics now
     * @param hurry   asks for them (called once, on the thread of the event that reached the count)
     */
    DeferredEvents(int hurryAt, Runnable hurry) {
        this.hurryAt = hurryAt;
        this.hurry = hurry;
    }

    /** From now on events go to {@code events}; those kept so far are handed over first. */
    void ready(RequestEvents events) {
        target = events;
        handOver(events);
    }

    @Override
    public void refused(InboundRequest in, boolean cageKnown, ErrorCode code) {
        RequestEvents t = target;
        if (t != null) {
            t.refused(in, cageKnown, code);
        } else {
            keep(e -> e.refused(in, cageKnown, code));
        }
    }

    @Override
    public void finished(InboundRequest in, String version, CompletableFuture<Reply> result, long tookNanos) {
        RequestEvents t = target;
        if (t != null) {
            t.finished(in, version, result, tookNanos);
        } else {
            keep(e -> e.finished(in, version, result, tookNanos));
        }
    }

    private void keep(Consumer<RequestEvents> event) {
        early.add(event);
        if (kept.incrementAndGet() == hurryAt) {
            hurry.run();
        }
        // The target may have been set after this thread looked and before it queued: then nobody else would
        // hand this event over.
        RequestEvents t = target;
        if (t != null) {
            handOver(t);
        }
    }

    private void handOver(RequestEvents events) {
        Consumer<RequestEvents> event;
        while ((event = early.poll()) != null) {
            event.accept(events);
        }
    }
}
