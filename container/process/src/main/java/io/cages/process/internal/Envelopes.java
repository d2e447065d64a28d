package io.cages.process.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cages.api.CageException;
import io.cages.api.ErrorCode;
import io.cages.api.Request;
import io.cages.api.Response;
import java.io.IOException;
import java.util.Base64;
import java.util.Locale;

/**
 * The JSON both modes exchange with a cage's program (the module README documents it):
 *
 * <pre>
 * request: {"id", "cage", "operation", "params": {...}, "body": base64 or absent, "contentType", "caller", "deadlineMs"}
 * answer:  {"value": any JSON}  |  {"body": base64, "contentType": "..."}  |  {"error": {"code": "bad_request", "message": "..."}}
 * </pre>
 */
final class Envelopes {

    static final ObjectMapper JSON = new ObjectMapper();

    private Envelopes() {
    }

    static ObjectNode request(Request request) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", request.id());
        node.put("cage", request.cage());
        node.put("operation", request.operation());
        node.set("params", JSON.valueToTree(request.params()));
        byte[] body = request.body();
        if (body != null && body.length > 0) {
            node.put("body", Base64.getEncoder().encodeToString(body));
        }
        if (request.contentType() != null) {
            node.put("contentType", request.contentType());
        }
        node.put("caller", request.caller());
        node.put("deadlineMs", request.deadline() == null ? 0 : Math.max(0, request.deadline().remainingMillis()));
        return node;
    }

    /** The {@code request} frame a pool worker reads: the envelope with its type. */
    static byte[] requestFrame(Request request) {
        ObjectNode envelope = request(request);
        envelope.put("type", "request");
        return bytes(envelope);
    }

    static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Parses an answer, or throws the error it carries.
     *
     * @param who names the cage and process for messages, e.g. "cage 'wordcount' 1.0.0 process (pid 42)"
     */
    static Response answer(byte[] bytes, String who) throws CageException {
        JsonNode node;
        try {
            node = JSON.readTree(bytes);
        } catch (IOException e) {
            throw CageException.internal(who + " answered something that is not JSON: " + preview(bytes), null);
        }
        return answer(node, who);
    }

    static Response answer(JsonNode node, String who) throws CageException {
        if (node == null || !node.isObject()) {
            throw CageException.internal(who + " answered " + (node == null ? "nothing" : "a JSON " + node.getNodeType().name().toLowerCase(Locale.ROOT))
                    + ", not an object with 'value', 'body' or 'error'", null);
        }
        JsonNode error = node.get("error");
        if (error != null && !error.isNull()) {
            throw error(error, who);
        }
        JsonNode body = node.get("body");
        if (body != null && !body.isNull()) {
            try {
                JsonNode type = node.get("contentType");
                return Response.bytes(Base64.getDecoder().decode(body.asText()),
                        type == null || type.isNull() ? "application/octet-stream" : type.asText());
            } catch (IllegalArgumentException e) {
                throw CageException.internal(who + " answered a 'body' that is not base64: " + e.getMessage(), null);
            }
        }
        JsonNode value = node.get("value");
        if (value == null) {
            throw CageException.internal(who + " answered an object with none of 'value', 'body' or 'error': " + preview(bytes(node)), null);
        }
        return value.isNull() ? Response.empty() : Response.of(value);
    }

    /** An error the program reported: {@code {"code": "bad_request", "message": "..."}} (or just a message). */
    static CageException error(JsonNode error, String who) {
        String code = error.path("code").asText("internal");
        String message = error.isTextual() ? error.asText() : error.path("message").asText("(no message)");
        ErrorCode errorCode;
        try {
            errorCode = ErrorCode.valueOf(code.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            errorCode = ErrorCode.INTERNAL;
        }
        return new CageException(errorCode, message);
    }

    static String preview(byte[] bytes) {
        String text = new String(bytes, 0, Math.min(bytes.length, 80), java.nio.charset.StandardCharsets.UTF_8)
                .replaceAll("\\p{Cntrl}", "?");
        return "'" + text + (bytes.length > 80 ? "...' (" + bytes.length + " bytes)" : "'");
    }
}
