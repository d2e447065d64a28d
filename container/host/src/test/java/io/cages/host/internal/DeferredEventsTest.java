package io.cages.host.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cages.api.ErrorCode;
import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.Reply;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Request events from before the metrics are built are kept and handed over, in order, exactly once. */
class DeferredEventsTest {

    private static final class Recorder implements RequestEvents {
        final List<String> seen = new CopyOnWriteArrayList<>();

        @Override
        public void refused(InboundRequest in, boolean cageKnown, ErrorCode code) {
            seen.add("refused " + in.id() + " " + code);
        }

        @Override
        public void finished(InboundRequest in, String version, CompletableFuture<Reply> result, long tookNanos) {
            seen.add("finished " + in.id() + " " + version + " " + tookNanos);
        }
    }

    private static InboundRequest request(String id) {
        return new InboundRequest(id, "c", "op", null, null, null, null, "http:1.2.3.4:5", null);
    }

    @Test
    void eventsBeforeReadyAreHandedOverThenEventsGoStraightThrough() {
        DeferredEvents deferred = new DeferredEvents(Integer.MAX_VALUE, () -> { });
        Recorder recorder = new Recorder();
        deferred.finished(request("a"), "1.0.0", CompletableFuture.completedFuture(null), 5);
        deferred.refused(request("b"), true, ErrorCode.UNAVAILABLE);
        assertEquals(List.of(), recorder.seen);

        deferred.ready(recorder);
        assertEquals(List.of("finished a 1.0.0 5", "refused b UNAVAILABLE"), recorder.seen);

        deferred.finished(request("c"), null, CompletableFuture.completedFuture(null), 7);
        assertEquals(List.of("finished a 1.0.0 5", "refused b UNAVAILABLE", "finished c null 7"), recorder.seen);
    }

    @Test
    void noEventIsLostOrCountedTwiceWhileReadyRacesWithRequests() throws Exception {
        for (int round = 0; round < 50; round++) {
            DeferredEvents deferred = new DeferredEvents(Integer.MAX_VALUE, () -> { });
            Recorder recorder = new Recorder();
            int threads = 4;
            int each = 500;
            List<Thread> senders = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int sender = t;
                senders.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < each; i++) {
                        deferred.refused(request(sender + "-" + i), true, ErrorCode.UNAVAILABLE);
                    }
                }));
            }
            deferred.ready(recorder);
            for (Thread sender : senders) {
                sender.join();
            }
            assertEquals(threads * each, recorder.seen.size(), "round " + round);
            assertEquals(threads * each, new java.util.HashSet<>(recorder.seen).size(), "round " + round);
        }
    }

    @Test
    void asksForTheMetricsOnceWhenTooManyEventsWait() {
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        DeferredEvents deferred = new DeferredEvents(3, asked::incrementAndGet);
        deferred.refused(request("a"), true, ErrorCode.UNAVAILABLE);
        deferred.refused(request("b"), true, ErrorCode.UNAVAILABLE);
        assertEquals(0, asked.get());
        deferred.refused(request("c"), true, ErrorCode.UNAVAILABLE);
        deferred.refused(request("d"), true, ErrorCode.UNAVAILABLE);
        assertEquals(1, asked.get());

        Recorder recorder = new Recorder();
        deferred.ready(recorder);
        assertEquals(4, recorder.seen.size());
    }
}
