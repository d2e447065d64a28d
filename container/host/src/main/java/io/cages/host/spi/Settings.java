package io.cages.host.spi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one JSON object of settings strictly: unknown keys and wrong types are errors naming the key, so a
 * typo never silently falls back to a default; {@code ${env:NAME}} strings come from the environment.
 */
public final class Settings {

    private static final Pattern ENV = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)}");

    private final JsonNode node;
    private final String prefix;
    private final Function<String, String> env;

    /** @param prefix path of this object in error messages, e.g. {@code bindings[0].}; empty at the top */
    public Settings(JsonNode node, String prefix, Set<String> keys, Function<String, String> env) {
        if (!node.isObject()) {
            throw new IllegalArgumentException((prefix.isEmpty() ? "settings" : prefix) + " must be a JSON object");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!keys.contains(key)) {
                throw new IllegalArgumentException(prefix + key + ": unknown key (known: " + new java.util.TreeSet<>(keys) + ")");
            }
        }
        this.node = node;
        this.prefix = prefix;
        this.env = env;
    }

    public JsonNode node(String key) {
        JsonNode v = node.get(key);
        return v == null || v.isNull() ? null : v;
    }

    public String string(String key, String fallback) {
        JsonNode v = node(key);
        if (v == null) {
            return fallback;
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException(prefix + key + " must be a string");
        }
        return resolve(key, v.asText());
    }

    public int integer(String key, int fallback) {
        long value = longValue(key, fallback);
        if (value != (int) value) {
            throw new IllegalArgumentException(prefix + key + " is out of range: " + value);
        }
        return (int) value;
    }

    public long longValue(String key, long fallback) {
        JsonNode v = node(key);
        if (v == null) {
            return fallback;
        }
        if (v.isIntegralNumber()) {
            return v.asLong();
        }
        if (v.isTextual()) { // "${env:POOL_SIZE}" is allowed for numbers too
            String text = resolve(key, v.asText());
            try {
                return Long.parseLong(text.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(prefix + key + " must be a whole number");
            }
        }
        throw new IllegalArgumentException(prefix + key + " must be a whole number");
    }

    private String resolve(String key, String text) {
        Matcher m = ENV.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = env.apply(m.group(1));
            if (value == null) {
                // The value itself is never part of an error: it may be a secret.
                throw new IllegalArgumentException(prefix + key + ": environment variable " + m.group(1) + " is not set");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
