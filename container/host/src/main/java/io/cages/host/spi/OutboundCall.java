package io.cages.host.spi;

import io.cages.api.Deadline;
import java.util.Map;
import java.util.Objects;

/**
 * A call by name from a cage to another cage, as the host hands it to {@link RemoteCalls}.
 *
 * @param caller      the calling cage
 * @param traceId     the call's span as a W3C {@code traceparent} ({@link TraceContext#wireValue()}), or the bare id of
 *                    a trace that is not W3C
 * @param cage        the cage called
 * @param operation   its operation
 * @param params      parameter tree, already copied (maps, lists, strings, numbers, booleans, nulls)
 * @param body        raw body, or null
 * @param contentType media type of the body, or null
 * @param deadline    when the caller stops waiting; never null
 * @param durableKey  the key of a durable call being delivered, or null for an ordinary call. The target's host
 *                    runs a keyed call once per key under the cage's inbox, so it may be redelivered to any copy
 *                    that shares the inbox, even after it was delivered and the answer lost: a transport fails
 *                    it over as if the operation were idempotent.
 */
public record OutboundCall(String caller, String traceId, String cage, String operation, Map<String, Object> params,
                           byte[] body, String contentType, Deadline deadline, String durableKey) {

    /** An ordinary (not durable) call. */
    public OutboundCall(String caller, String traceId, String cage, String operation, Map<String, Object> params,
                        byte[] body, String contentType, Deadline deadline) {
        this(caller, traceId, cage, operation, params, body, contentType, deadline, null);
    }

    /** Whether this is a durable call, which the target runs once per key. */
    public boolean durable() {
        return durableKey != null;
    }

    public OutboundCall {
        Objects.requireNonNull(caller, "caller");
        Objects.requireNonNull(cage, "cage");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(deadline, "deadline");
        params = params == null ? Map.of() : params;
    }
}
