package io.cages.cagectl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** JSON reading and writing for the admin API's answers, as plain trees (no host classes). */
public final class Json {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private Json() {
    }

    /** Parses {@code body}, or returns null when it is empty or not JSON. */
    public static JsonNode tryParse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** Parses an answer that must be a JSON array. */
    public static JsonNode requireArray(String what, String body) {
        JsonNode node = tryParse(body);
        if (node == null || !node.isArray()) {
            throw new CageCtlException(ExitCodes.FAILED,
                    "unexpected answer to " + what + " (expected a JSON array): " + Text.abbreviate(body, 200));
        }
        return node;
    }

    public static JsonNode requireObject(String what, String body) {
        JsonNode node = tryParse(body);
        if (node == null || !node.isObject()) {
            throw new CageCtlException(ExitCodes.FAILED,
                    "unexpected answer to " + what + " (expected a JSON object): " + Text.abbreviate(body, 200));
        }
        return node;
    }

    /** Pretty-printed JSON. */
    public static String pretty(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The text of {@code node.field}, or null when missing or JSON null. */
    public static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value == null || value.isNull() || value.isMissingNode() ? null : value.asText();
    }
}
