package io.cages.host.spi;

import java.util.concurrent.CompletableFuture;
import io.cages.host.spi.TransportContext;
import io.cages.host.spi.OutboundCall;

/**
 * Reaches cages on other hosts. The host asks it for every call by name to a cage it does not run itself; a
 * transport that knows the flock (membership, RPC) offers one through
 * {@link TransportContext#offerRemoteCalls}. Without one, such calls fail with NOT_FOUND.
 */
public interface RemoteCalls {

    /**
     * Calls a cage on another host, choosing the copy, failing over and retrying within the call's deadline.
     * Completes exceptionally with an {@link io.cages.api.CageException} only; never throws.
     *
     * <p>The future may complete on one of the transport's I/O threads or timers: a stage attached to it must
     * not block (the host wakes a waiting handler from there, or hands the result to a virtual thread).
     */
    CompletableFuture<RemoteReply> call(OutboundCall call);
}
