package io.cages.transport.rpc.internal;

import io.cages.transport.rpc.RpcConnectionException;
import io.netty.channel.ChannelFuture;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A few connections to one peer, used round-robin. A slot connects on first use and again on the first use
 * after its connection closed or failed to connect; calls arriving during a connect wait for that connect
 * instead of starting their own. Lock-free: a slot is replaced by compare-and-set.
 */
final class PeerPool {

    private final InetSocketAddress peer;
    private final ClientShared shared;
    private final AtomicReferenceArray<CompletableFuture<ClientConnection>> slots;
    private final AtomicInteger next = new AtomicInteger();
    // CONCURRENCY: set once by close(); read by send() and by a connect completing after the close.
    private volatile String closedReason;

    PeerPool(InetSocketAddress peer, ClientShared shared, int size) {
        this.peer = peer;
        this.shared = shared;
        this.slots = new AtomicReferenceArray<>(size);
    }

    /** Sends {@code call} on the next connection, connecting it first if needed. */
    void send(PendingCall call, Outgoing outgoing) {
        String closed = closedReason;
        if (closed != null) {
            // A call that picked this pool just before it was closed: it never left, so any copy may take it.
            call.fail(new RpcConnectionException(false, peer, call.describe() + " was not delivered: " + closed, null));
            return;
        }
        connection().whenComplete((connection, failure) -> {
            if (failure != null) {
                call.fail(new RpcConnectionException(false, peer, call.describe() + " was not delivered: cannot connect: "
                        + (failure.getMessage() != null ? failure.getMessage() : failure.getClass().getSimpleName()), failure));
            } else {
                connection.send(call, outgoing);
            }
        });
    }

    private CompletableFuture<ClientConnection> connection() {
        int i = Math.floorMod(next.getAndIncrement(), slots.length());
        while (true) {
            CompletableFuture<ClientConnection> current = slots.get(i);
            if (current != null && (!current.isDone() || usable(current))) {
                return current;
            }
            CompletableFuture<ClientConnection> fresh = new CompletableFuture<>();
            if (slots.compareAndSet(i, current, fresh)) {
                retireStale(current);
                connect(fresh);
                return fresh;
            }
        }
    }

    private boolean usable(CompletableFuture<ClientConnection> done) {
        if (done.isCompletedExceptionally()) {
            return false;
        }
        ClientConnection c = done.join();
        return c.isActive() && c.tlsGeneration == shared.tlsGeneration();
    }

    /**
     * After a change of the TLS credentials: every connection opened with the old ones leaves its slot (the
     * next call there connects with the new ones) and closes once its calls are answered. No call fails.
     */
    void drainStale() {
        long now = shared.tlsGeneration();
        for (int i = 0; i < slots.length(); i++) {
            CompletableFuture<ClientConnection> slot = slots.get(i);
            if (slot == null || !slot.isDone() || slot.isCompletedExceptionally()) {
                continue;
            }
            ClientConnection c = slot.join();
            if (c.tlsGeneration != now && slots.compareAndSet(i, slot, null)) {
                c.retire(shared.heartbeatIntervalMs);
            }
        }
    }

    /** A replaced connection still open (its TLS credentials are old): drained, not dropped. */
    private void retireStale(CompletableFuture<ClientConnection> replaced) {
        if (replaced != null && replaced.isDone() && !replaced.isCompletedExceptionally()) {
            ClientConnection c = replaced.join();
            if (c.tlsGeneration != shared.tlsGeneration()) {
                c.retire(shared.heartbeatIntervalMs);
            }
        }
    }

    private void connect(CompletableFuture<ClientConnection> slot) {
        ClientConnection connection = new ClientConnection(peer, shared);
        ChannelFuture connect = shared.bootstrap.clone().handler(connection.initializer()).connect(peer);
        connect.addListener(f -> {
            if (f.isSuccess()) {
                connection.attach(connect.channel());
                var handshake = connection.handshake();
                if (handshake != null) {
                    // With TLS the connection is usable once the peer proved it is of the flock.
                    handshake.addListener(h -> {
                        if (h.isSuccess()) {
                            connected(slot, connection);
                        } else {
                            slot.completeExceptionally(new javax.net.ssl.SSLException("TLS handshake with " + peer
                                    + " failed: " + h.cause().getMessage(), h.cause()));
                        }
                    });
                    return;
                }
                connected(slot, connection);
            } else {
                slot.completeExceptionally(f.cause());
            }
        });
    }

    private void connected(CompletableFuture<ClientConnection> slot, ClientConnection connection) {
        slot.complete(connection);
        String closed = closedReason;
        if (closed != null) {
            connection.close(closed); // connected after close() looked at its slot: no orphan connection
        }
    }

    /** Open connections to this peer. */
    int openConnections() {
        int open = 0;
        for (int i = 0; i < slots.length(); i++) {
            CompletableFuture<ClientConnection> slot = slots.get(i);
            if (slot != null && slot.isDone() && usable(slot)) {
                open++;
            }
        }
        return open;
    }

    /** Closes every connection; their calls fail as connection lost (delivered or not, per call). */
    void close(String reason) {
        closedReason = reason;
        for (int i = 0; i < slots.length(); i++) {
            CompletableFuture<ClientConnection> slot = slots.get(i);
            if (slot != null) {
                slot.thenAccept(c -> c.close(reason));
            }
        }
    }
}
