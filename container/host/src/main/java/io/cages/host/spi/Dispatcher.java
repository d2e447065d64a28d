package io.cages.host.spi;

import java.util.concurrent.CompletableFuture;

/**
 * Routes requests from transports to the active version of a cage.
 *
 * <p>Every request gets a deadline (the cage's timeout, capped by the caller's deadline) and runs on a
 * virtual thread of its own, except an operation the cage declares non-blocking ({@code Cage-Non-Blocking}),
 * which runs on the thread that calls {@link #dispatch} when the cage has a free slot. A request whose deadline has passed before it starts is not executed. Each cage admits at
 * most its concurrency limit of running requests plus its queue limit of waiting ones; anything beyond is
 * refused at once with {@link io.cages.api.ErrorCode#UNAVAILABLE}.
 */
public interface Dispatcher {

    /** A fresh request id, unique within this host's lifetime and across hosts with high probability. */
    String newRequestId();

    /**
     * Dispatches one request. Never throws: every failure, including an unknown cage, completes the future
     * exceptionally with an {@link io.cages.api.CageException}. Completes on the handler's thread (for a
     * non-blocking operation, possibly the calling thread before this returns) or on a timer thread;
     * transports must hop to their own threads if they care.
     */
    CompletableFuture<Reply> dispatch(InboundRequest request);
}
