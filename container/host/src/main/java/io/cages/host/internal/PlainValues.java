package io.cages.host.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.cages.host.spi.HostJson;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plain values (maps, lists, strings, numbers, booleans, nulls) without a round trip through Jackson's token
 * buffer. Both conversions here ran on every call by name, and {@code convertValue} serializes its input into
 * a buffer of tokens and reads that back: a tenth of the caller's allocation per call, and measurable CPU, for
 * what is a copy of a small map.
 */
final class PlainValues {

    private PlainValues() {
    }

    /**
     * A copy of {@code params} that shares nothing mutable with it, or null when some value is not an
     * immutable scalar (a nested map or list, a record, a bean): those need the caller's mapper.
     */
    static Map<String, Object> copyOfScalars(Map<String, ?> params) {
        Map<String, Object> copy = new LinkedHashMap<>(Math.max(4, params.size() * 2));
        for (Map.Entry<String, ?> entry : params.entrySet()) {
            Object value = entry.getValue();
            if (!isImmutableScalar(value) || entry.getKey() == null) {
                return null;
            }
            copy.put(entry.getKey(), value instanceof Byte b ? Integer.valueOf(b) : value); // Jackson writes a byte as an int
        }
        return copy;
    }

    /** Values a callee cannot change under the caller (AtomicInteger is a Number, and mutable: not one). */
    private static boolean isImmutableScalar(Object value) {
        return value == null || value instanceof String || value instanceof Boolean || value instanceof Integer
                || value instanceof Long || value instanceof Double || value instanceof Float || value instanceof Short
                || value instanceof Byte || value instanceof BigInteger || value instanceof BigDecimal;
    }

    /**
     * The tree as Jackson's untyped reading makes it ({@code convertValue(tree, Object.class)}, which
     * PlainValuesTest compares it with): objects as insertion-ordered maps, arrays as lists, numbers as the
     * node holds them, binary as byte[].
     */
    static Object of(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>(Math.max(4, node.size() * 2));
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                map.put(field.getKey(), of(field.getValue()));
            }
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>(node.size());
            for (JsonNode element : node) {
                list.add(of(element));
            }
            return list;
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isNumber()) {
            return node.numberValue(); // the node's own type, as Jackson's untyped reading keeps it
        }
        if (node.isBinary()) {
            try {
                return node.binaryValue();
            } catch (java.io.IOException e) {
                throw new IllegalStateException("a binary node that cannot give its bytes", e);
            }
        }
        // A POJO node (a tree built around a Java object) is rare: Jackson's own conversion, as before.
        return HostJson.MAPPER.convertValue(node, Object.class);
    }
}
