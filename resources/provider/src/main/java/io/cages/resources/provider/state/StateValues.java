package io.cages.resources.provider.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cages.api.CageException;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Checks and encodes what cages store: names, and JSON-like values. An integral number is kept in a column of its
 * own so {@code increment} can add to it in the database; everything else as JSON text.
 */
final class StateValues {

    static final int MAX_NAME = 200;
    static final int MAX_JSON = 65_536;
    private static final int MAX_DEPTH = 32;
    private static final String JSON_LIKE = "String, Long/Integer, Double/Float, Boolean, null, Map with String keys, List";

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.USE_LONG_FOR_INTS);

    /** One field as stored: {@code number} for integral values, else {@code json}. */
    record Encoded(Long number, String json) {
    }

    private StateValues() {
    }

    static String key(String key) throws CageException {
        return name("key", key, null);
    }

    static String field(String key, String field) throws CageException {
        return name("field name", field, key);
    }

    private static String name(String what, String name, String key) throws CageException {
        String where = key == null ? "" : " (key '" + key + "')";
        if (name == null || name.isEmpty()) {
            throw CageException.badRequest("cage state: a " + what + " must not be " + (name == null ? "null" : "empty") + where);
        }
        if (name.length() > MAX_NAME) {
            throw CageException.badRequest("cage state: " + what + " '" + name.substring(0, 40) + "...' is " + name.length()
                    + " characters long, at most " + MAX_NAME + where);
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                throw CageException.badRequest("cage state: " + what + " '" + name.replaceAll("\\p{Cntrl}", "?")
                        + "' holds a control character at index " + i + where);
            }
        }
        return name;
    }

    static Encoded encode(String key, String field, Object value) throws CageException {
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return new Encoded(((Number) value).longValue(), null);
        }
        check(key, field, value, 0);
        String json;
        try {
            json = MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw CageException.badRequest("cage state: field '" + field + "' of key '" + key + "' cannot be written as JSON: "
                    + e.getOriginalMessage());
        }
        if (json.length() > MAX_JSON) {
            throw CageException.badRequest("cage state: field '" + field + "' of key '" + key + "' is too large: "
                    + json.length() + " characters as JSON, at most " + MAX_JSON);
        }
        return new Encoded(null, json);
    }

    private static void check(String key, String field, Object value, int depth) throws CageException {
        if (depth > MAX_DEPTH) {
            throw notJson(key, field, "nested deeper than " + MAX_DEPTH + " levels");
        }
        switch (value) {
            case null -> {
            }
            case String s -> {
            }
            case Boolean b -> {
            }
            case Long l -> {
            }
            case Integer i -> {
            }
            case Short s -> {
            }
            case Byte b -> {
            }
            case Double d when Double.isFinite(d) -> {
            }
            case Float f when Float.isFinite(f) -> {
            }
            case Double d -> throw notJson(key, field, "the number " + d + " (JSON has no NaN or infinity)");
            case Float f -> throw notJson(key, field, "the number " + f + " (JSON has no NaN or infinity)");
            case Map<?, ?> m -> {
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!(e.getKey() instanceof String)) {
                        throw notJson(key, field, "a Map key of type " + (e.getKey() == null ? "null" : e.getKey().getClass().getName()));
                    }
                    check(key, field, e.getValue(), depth + 1);
                }
            }
            case List<?> l -> {
                for (Object o : l) {
                    check(key, field, o, depth + 1);
                }
            }
            default -> throw notJson(key, field, "a value of type " + value.getClass().getName());
        }
    }

    private static CageException notJson(String key, String field, String what) {
        return CageException.badRequest("cage state: field '" + field + "' of key '" + key + "' is not JSON-like: it holds "
                + what + "; allowed: " + JSON_LIKE);
    }

    static Object decode(Long number, String json) {
        if (number != null) {
            return number;
        }
        try {
            return freeze(MAPPER.readValue(json, Object.class));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cage state holds a value that is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Object freeze(Object value) {
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = new java.util.LinkedHashMap<>();
            ((Map<String, Object>) m).forEach((k, v) -> out.put(k, freeze(v)));
            return Collections.unmodifiableMap(out);
        }
        if (value instanceof List<?> l) {
            return l.stream().map(StateValues::freeze).toList(); // unmodifiable, nulls allowed
        }
        return value;
    }
}
