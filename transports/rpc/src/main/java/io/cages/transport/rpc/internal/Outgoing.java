package io.cages.transport.rpc.internal;

import io.cages.api.Deadline;
import java.util.Map;

/** A call as the client was asked to make it; the frame is built when it is sent, with the time left then. */
record Outgoing(String caller, String cage, String operation, String traceId, Map<String, Object> params,
                       byte[] body, String contentType, Deadline deadline, boolean idempotent, String durableKey) {

    /** Largest remaining time that is not the "no deadline" marker. */
    private static final long MAX_DEADLINE_MS = Frame.NO_DEADLINE - 1;

    /** The REQUEST frame, or null when the deadline has passed (whole milliseconds left: 0). */
    Frame.Request frame(long id) {
        long remaining = Frame.NO_DEADLINE;
        if (deadline != null) {
            remaining = Math.min(deadline.remainingMillis(), MAX_DEADLINE_MS);
            if (remaining == 0) {
                return null;
            }
        }
        return new Frame.Request(id, idempotent, remaining, caller, cage, operation, traceId, contentType, params, body, durableKey);
    }
}
