package io.cages.host.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cages.api.CageConfig;
import java.util.Collections;
import java.util.Map;

/** An immutable snapshot of a cage's config file. */
final class HostCageConfig implements CageConfig {

    static final HostCageConfig EMPTY = new HostCageConfig(Map.of());

    private final Map<String, Object> tree;

    HostCageConfig(Map<String, Object> tree) {
        this.tree = Collections.unmodifiableMap(tree);
    }

    @Override
    public Map<String, Object> asMap() {
        return tree;
    }

    @Override
    public String string(String key, String fallback) {
        Object value = tree.get(key);
        return value == null ? fallback : value.toString();
    }

    @Override
    public long number(String key, long fallback) {
        Object value = tree.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Number n) {
            return n.longValue();
        }
        throw new IllegalArgumentException("config key '" + key + "' is not a number: " + value);
    }

    @Override
    public boolean flag(String key, boolean fallback) {
        Object value = tree.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        throw new IllegalArgumentException("config key '" + key + "' is not true or false: " + value);
    }

    @Override
    public <T> T as(Class<T> type) {
        // A throw-away mapper: the type is a cage class and must not be cached by a host-wide mapper.
        ObjectMapper mapper = CageJson.newMapper();
        return mapper.convertValue(tree, type);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostCageConfig other && other.tree.equals(tree);
    }

    @Override
    public int hashCode() {
        return tree.hashCode();
    }

    @Override
    public String toString() {
        return tree.toString();
    }
}
