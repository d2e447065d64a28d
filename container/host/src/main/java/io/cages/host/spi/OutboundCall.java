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
 */
public record OutboundCall(String caller, String traceId, String cage, String operation, Map<String, Object> params,
                           byte[] body, String contentType, Deadline deadline) {

    public OutboundCall {
        Objects.requireNonNull(caller, "caller");
        Objects.requireNonNull(cage, "cage");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(deadline, "deadline");
        params = params == null ? Map.of() : params;
    }
}
