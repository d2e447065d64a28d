package io.cages.transport.rpc.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * A decoded frame. Frames hold only heap copies (strings, arrays, trees), never a {@code ByteBuf}, so the
 * handler that decodes one can release the network buffer at once and nothing downstream owns Netty memory.
 */
sealed interface Frame {

    /** Request id: per connection, chosen by the client; 0 is reserved for connection-level errors. */
    long id();

    /** Remaining deadline value meaning "no deadline from the caller: use the callee's own limit". */
    long NO_DEADLINE = 0xFFFF_FFFFL;

    /**
     * A call. {@code params} is the decoded parameter tree (never null); {@code body} is never null.
     *
     * @param deadlineMs remaining milliseconds when the frame was written, 0 = already expired, or
     *                   {@link #NO_DEADLINE}
     * @param durableKey the key of a durable call, which the callee runs once per key under its inbox; null for
     *                   an ordinary call
     */
    record Request(long id, boolean idempotent, long deadlineMs, String caller, String cage, String operation,
                   String traceId, String contentType, Map<String, Object> params, byte[] body,
                   String durableKey) implements Frame {

        private static final byte[] NO_BODY = new byte[0];

        public Request {
            params = params == null ? Map.of() : params;
            body = body == null ? NO_BODY : body;
        }

        /** An ordinary (not durable) call. */
        public Request(long id, boolean idempotent, long deadlineMs, String caller, String cage, String operation,
                       String traceId, String contentType, Map<String, Object> params, byte[] body) {
            this(id, idempotent, deadlineMs, caller, cage, operation, traceId, contentType, params, body, null);
        }
    }

    /** A reply: exactly one of {@code value} and {@code body} is set, or neither for an empty reply. */
    record Response(long id, String version, Map<String, String> attributes, JsonNode value, byte[] body,
                    String contentType) implements Frame {
    }

    /**
     * A failure: {@code code} is an {@link io.cages.api.ErrorCode} name; never a stack trace.
     * {@code notExecuted} says the callee refused the call before any handler ran, so it may go elsewhere.
     */
    record Error(long id, String code, String message, String host, String cage, String operation, boolean notExecuted) implements Frame {
        public Error(long id, String code, String message, String host, String cage, String operation) {
            this(id, code, message, host, cage, operation, false);
        }
    }

    /** PING, PONG and CANCEL: nothing but the type and the id. */
    record Control(FrameType type, long id) implements Frame {
    }
}
