package io.cages.transport.rpc;

import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.host.spi.Reply;
import io.cages.transport.rpc.internal.Client;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls cages on other hosts over the RPC transport. Thread-safe; one per host is enough.
 *
 * <p>Each peer gets {@link RpcSettings#connectionsPerPeer()} connections, used round-robin; each carries
 * any number of concurrent calls. A call's future completes with the {@link Reply}, or exceptionally with a
 * {@link CageException}:
 * <ul>
 *   <li>{@link RemoteCageException}: the callee's host answered with an error (its code and message);</li>
 *   <li>{@link RpcConnectionException}: the connection failed; {@link RpcConnectionException#delivered()}
 *       says whether the callee may have seen the call (what failover decides on);</li>
 *   <li>a plain {@code CageException} DEADLINE_EXCEEDED at the caller's deadline, or BAD_REQUEST when the
 *       call cannot be encoded (a name over its limit, a frame over the size limit); neither was sent, or
 *       the callee's answer no longer matters.</li>
 * </ul>
 * Futures are completed on virtual threads, never on the client's I/O threads.
 *
 * <p>Deadlines are kept on a timer of {@value Client#DEADLINE_TICK_MS} ms ticks: a call without an
 * answer fails at most that much after its deadline.
 */
public final class RpcClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RpcClient.class);
    private static final long CLOSE_TIMEOUT_MS = 5_000;

    private final Client client;

    public RpcClient(RpcSettings settings) {
        this(settings, null);
    }

    /**
     * With {@code tls} every connection is mutual TLS (null: plain TCP): a peer must present a certificate of
     * the flock. When the credentials change, calls move to new connections and the old ones close once their
     * calls are answered.
     */
    public RpcClient(RpcSettings settings, RpcTls tls) {
        this.client = new Client(Objects.requireNonNull(settings, "settings"), tls);
    }

    /**
     * Calls {@code operation} of {@code cage} on {@code peer}.
     *
     * @param caller      name of the calling cage (the callee sees it as the request's caller)
     * @param params      parameter tree (maps, lists, strings, numbers, booleans, nulls); null for none
     * @param body        raw body; null for none
     * @param contentType media type of {@code body}, or null
     * @param deadline    the caller's deadline, sent as the time left; null lets the callee's own limit rule
     * @param idempotent  tells the callee (attribute {@code rpc.idempotent}) and later failover it may repeat
     */
    public CompletableFuture<Reply> call(InetSocketAddress peer, String caller, String cage, String operation,
                                         Map<String, Object> params, byte[] body, String contentType,
                                         Deadline deadline, boolean idempotent) {
        return client.call(peer, null, caller, cage, operation, params, body, contentType, deadline, idempotent, false);
    }

    /** As the other {@code call}, with a trace id passed to the callee as attribute {@code trace.id}. */
    public CompletableFuture<Reply> call(InetSocketAddress peer, String traceId, String caller, String cage,
                                         String operation, Map<String, Object> params, byte[] body,
                                         String contentType, Deadline deadline, boolean idempotent) {
        return client.call(peer, traceId, caller, cage, operation, params, body, contentType, deadline, idempotent, false);
    }

    /**
     * For callers whose stages never block (the flock's router): as {@link #call(InetSocketAddress, String, String, String,
     * String, Map, byte[], String, Deadline, boolean)}, but the future completes on the thread that decided
     * the outcome (an I/O thread, the deadline timer or the calling thread), without a hand-off.
     */
    public CompletableFuture<Reply> callDirect(InetSocketAddress peer, String traceId, String caller, String cage,
                                        String operation, Map<String, Object> params, byte[] body,
                                        String contentType, Deadline deadline, boolean idempotent) {
        return client.call(peer, traceId, caller, cage, operation, params, body, contentType, deadline, idempotent, true);
    }

    /**
     * As {@link #callDirect(InetSocketAddress, String, String, String, String, Map, byte[], String, Deadline, boolean)},
     * for a durable call: the callee's host runs it once per {@code durableKey} (attribute {@code durable.key})
     * under the cage's inbox, so a redelivery, to this copy or another sharing the inbox, answers the first
     * execution's answer. A null key makes an ordinary call.
     */
    public CompletableFuture<Reply> callDirect(InetSocketAddress peer, String traceId, String caller, String cage,
                                               String operation, Map<String, Object> params, byte[] body,
                                               String contentType, Deadline deadline, boolean idempotent, String durableKey) {
        return client.call(peer, traceId, caller, cage, operation, params, body, contentType, deadline, idempotent, durableKey, true);
    }

    /** Connections currently open to {@code peer}. */
    public int openConnections(InetSocketAddress peer) {
        return client.openConnections(peer);
    }

    /** Connections closed since start after a change of the TLS credentials, each once its calls were answered. */
    public long drainedConnections() {
        return client.drainedConnections();
    }

    /**
     * Closes the connections to {@code peer} now: its calls in flight fail as connection lost (delivered or
     * not, per call, {@code reason} in the message), and the next call to it connects afresh. For a peer
     * known to be gone, so its calls need not wait out the idle timeout.
     */
    public void disconnect(InetSocketAddress peer, String reason) {
        client.disconnect(peer, reason);
    }

    /** Closes every connection (calls in flight fail as connection lost) and stops the I/O threads. */
    @Override
    public void close() {
        if (!client.close(CLOSE_TIMEOUT_MS)) {
            LOG.warn("rpc client threads did not stop within {} ms", CLOSE_TIMEOUT_MS);
        }
    }
}
