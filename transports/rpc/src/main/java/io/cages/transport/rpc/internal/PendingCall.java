package io.cages.transport.rpc.internal;

import io.cages.host.spi.Reply;
import io.netty.util.Timeout;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One call from send to outcome. Whichever of reply, deadline, write failure or connection loss comes first
 * {@link #claim claims} the call; the others find it claimed and do nothing. The caller's future is
 * completed through {@code completer}: a virtual thread for callers that may attach blocking stages (so they
 * cannot stall I/O or other deadlines), or the deciding thread itself for callers whose stages never block
 * (the router), which saves a thread hand-off per call.
 */
final class PendingCall {

    final CompletableFuture<Reply> result;
    final InetSocketAddress peer;
    final String cage;
    final String operation;
    private final Executor completer;
    private final AtomicBoolean claimed = new AtomicBoolean();

    // CONCURRENCY: written once on the event loop by the write listener, read there by the connection-loss
    // sweep; volatile only so that other threads' reads for messages are current.
    volatile boolean written;
    // CONCURRENCY: set once before the call is sent; read by whoever claims the call.
    volatile Timeout timer;
    volatile ClientConnection connection;
    volatile long id;

    PendingCall(CompletableFuture<Reply> result, InetSocketAddress peer, String cage, String operation, Executor completer) {
        this.result = result;
        this.peer = peer;
        this.cage = cage;
        this.operation = operation;
        this.completer = completer;
    }

    /** True for the first outcome only. */
    boolean claim() {
        if (!claimed.compareAndSet(false, true)) {
            return false;
        }
        Timeout t = timer;
        if (t != null) {
            t.cancel();
        }
        forget();
        return true;
    }

    /** True once an outcome is decided; a call decided before it was sent is not sent. */
    boolean claimed() {
        return claimed.get();
    }

    void succeed(Reply reply) {
        if (claim()) {
            completer.execute(() -> result.complete(reply));
        }
    }

    void fail(Throwable failure) {
        if (claim()) {
            completer.execute(() -> result.completeExceptionally(failure));
        }
    }

    /** Stops tracking the call on its connection (a no-op when the connection already removed it). */
    private void forget() {
        ClientConnection c = connection;
        if (c != null) {
            c.forget(id, this);
        }
    }

    void timer(Timeout timer) {
        this.timer = timer;
    }

    String describe() {
        return "call to cage '" + cage + "' operation '" + operation + "' at " + peer;
    }
}
