package io.cages.transport.rpc;

import io.cages.api.CageException;
import io.cages.api.ErrorCode;
import java.net.InetSocketAddress;

/**
 * A call that failed because of the connection, not because of the callee. {@link #delivered()} is what
 * failover decides on:
 * <ul>
 *   <li>{@code false}: provably not delivered (connect refused or timed out, the connection closed before
 *       the request was written). The callee never saw it; any copy may be tried at once.</li>
 *   <li>{@code true}: the request was written, then the connection was lost (peer silent past the idle
 *       timeout, reset, closed) before the reply. The callee may have run it: only an idempotent operation
 *       may be retried.</li>
 * </ul>
 * The code is always {@link ErrorCode#UNAVAILABLE}.
 */
public final class RpcConnectionException extends CageException {

    private static final long serialVersionUID = 1L;

    private final boolean delivered;
    private final transient InetSocketAddress peer;

    public RpcConnectionException(boolean delivered, InetSocketAddress peer, String message, Throwable cause) {
        super(ErrorCode.UNAVAILABLE, message, cause);
        this.delivered = delivered;
        this.peer = peer;
    }

    /** True when the request may have reached the callee; false when it provably did not. */
    public boolean delivered() {
        return delivered;
    }

    public InetSocketAddress peer() {
        return peer;
    }
}
