package io.cages.transport.rpc.internal;

import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.host.spi.Reply;
import io.cages.transport.rpc.RpcConnectionException;
import io.cages.transport.rpc.RpcSettings;
import io.cages.transport.rpc.RpcTls;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The calling side's engine behind {@link io.cages.transport.rpc.RpcClient}, and the only public class of this
 * package on that side: the connection pools per peer, the deadline timer and the call's way from send to
 * outcome. Thread-safe.
 */
public final class Client {

    /** Deadline precision: a call that gets no answer fails at most this much after its deadline. */
    public static final long DEADLINE_TICK_MS = ClientShared.DEADLINE_TICK_MS;

    private final ClientShared shared;
    private final int connectionsPerPeer;
    private final ConcurrentHashMap<InetSocketAddress, PeerPool> pools = new ConcurrentHashMap<>();
    // CONCURRENCY: set once by close(); a call that races it fails as not delivered.
    private volatile boolean closed;

    public Client(RpcSettings settings) {
        this(settings, null);
    }

    /** With {@code tls} (null: plain TCP) every connection is mutual TLS, drained to new ones when it changes. */
    public Client(RpcSettings settings, RpcTls tls) {
        this.shared = new ClientShared(settings.ioThreads(), settings.maxFrameBytes(), settings.heartbeatIntervalMs(),
                settings.idleTimeoutMs(), settings.connectTimeoutMs(), tls);
        this.connectionsPerPeer = settings.connectionsPerPeer();
        if (tls != null) {
            tls.onChange(() -> pools.values().forEach(PeerPool::drainStale));
        }
    }

    /**
     * Sends one call; see {@link io.cages.transport.rpc.RpcClient} for the outcomes. With {@code direct} the
     * future completes on the thread that decided it, else on a virtual thread.
     */
    public CompletableFuture<Reply> call(InetSocketAddress peer, String traceId, String caller, String cage, String operation,
                                         Map<String, Object> params, byte[] body, String contentType, Deadline deadline,
                                         boolean idempotent, boolean direct) {
        return call(peer, traceId, caller, cage, operation, params, body, contentType, deadline, idempotent, null, direct);
    }

    /** As the other {@code call}; a non-null {@code durableKey} makes it a durable call, run once per key by the callee. */
    public CompletableFuture<Reply> call(InetSocketAddress peer, String traceId, String caller, String cage, String operation,
                                         Map<String, Object> params, byte[] body, String contentType, Deadline deadline,
                                         boolean idempotent, String durableKey, boolean direct) {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(cage, "cage");
        Objects.requireNonNull(operation, "operation");
        CompletableFuture<Reply> result = new CompletableFuture<>();
        PendingCall call = new PendingCall(result, peer, cage, operation, shared.completer(direct));
        if (closed) {
            call.fail(new RpcConnectionException(false, peer, call.describe() + " was not delivered: the client is closed", null));
            return result;
        }
        if (deadline != null) {
            if (deadline.isExpired()) {
                call.fail(CageException.deadlineExceeded(call.describe() + ": the deadline passed before it was sent; not sent"));
                return result;
            }
            try {
                call.timer(shared.timer().newTimeout(t -> expire(call), deadline.remainingNanos(), TimeUnit.NANOSECONDS));
            } catch (IllegalStateException e) {
                // the timer was stopped: the client is closed
                call.fail(new RpcConnectionException(false, peer, call.describe() + " was not delivered: the client is closed", e));
                return result;
            }
        }
        // A caller that gives up (cancel) must not leave its call in the in-flight map until the reply.
        result.whenComplete((reply, failure) -> {
            if (result.isCancelled()) {
                call.fail(failure);
            }
        });
        Outgoing outgoing = new Outgoing(caller, cage, operation, traceId, params, body, contentType, deadline, idempotent, durableKey);
        pools.computeIfAbsent(peer, p -> new PeerPool(p, shared, connectionsPerPeer)).send(call, outgoing);
        return result;
    }

    private static void expire(PendingCall call) {
        call.fail(CageException.deadlineExceeded(call.describe() + " got no answer within its deadline"));
    }

    /** Connections currently open to {@code peer}. */
    public int openConnections(InetSocketAddress peer) {
        PeerPool pool = pools.get(peer);
        return pool == null ? 0 : pool.openConnections();
    }

    /** Connections closed since start once their calls were answered, because the TLS credentials changed. */
    public long drainedConnections() {
        return shared.drained.sum();
    }

    /** Closes the connections to {@code peer}; its calls in flight fail as connection lost. */
    public void disconnect(InetSocketAddress peer, String reason) {
        PeerPool pool = pools.remove(peer);
        if (pool != null) {
            pool.close(reason);
        }
    }

    /** Closes every connection and stops the I/O threads; false when they did not stop within {@code timeoutMs}. */
    public boolean close(long timeoutMs) {
        closed = true;
        pools.values().forEach(pool -> pool.close("the client was closed"));
        return shared.shutdown(timeoutMs);
    }
}
