package io.cages.transport.rpc.internal;

import io.cages.host.spi.Dispatcher;
import java.util.concurrent.atomic.LongAdder;

/** What every server connection shares: where to dispatch, whom to name in errors, limits and counters. */
final class ServerShared {

    final Dispatcher dispatcher;
    final String hostName;
    final int maxFrameBytes;

    // CONCURRENCY: set once by stopAccepting on any thread, read by event loops.
    private volatile boolean draining;

    private final LongAdder refusedFrames = new LongAdder();
    private final LongAdder requests = new LongAdder();

    ServerShared(Dispatcher dispatcher, String hostName, int maxFrameBytes) {
        this.dispatcher = dispatcher;
        this.hostName = hostName;
        this.maxFrameBytes = maxFrameBytes;
    }

    void drain() {
        draining = true;
    }

    boolean draining() {
        return draining;
    }

    void refused() {
        refusedFrames.increment();
    }

    void request() {
        requests.increment();
    }

    /** Frames refused as malformed, too large or unexpected since start. */
    long refusedFrames() {
        return refusedFrames.sum();
    }

    /** REQUEST frames decoded since start (dispatched or answered at once). */
    long requests() {
        return requests.sum();
    }
}
