package io.cages.process.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A process cage's {@code cage.json}: as plain as Cocaine's app manifest. Only {@code name}, {@code version} and
 * {@code command} are required; every other key has a default (Cocaine's where it had one). Unknown keys are
 * refused, so a typo does not silently fall back to a default.
 */
record Manifest(String name, String version, List<String> command, Mode mode, Map<String, String> env,
                int pool, int queue, long startupTimeoutMs, long idleTimeoutMs, long heartbeatTimeoutMs,
                long terminationTimeoutMs, int maxStdoutBytes, int maxStderrBytes, long memoryMb, long cpuSeconds,
                int maxRestarts, long restartWindowSeconds, List<String> idempotent, String selfTestOperation,
                JsonNode selfTestParams, Map<String, String> streams) {

    enum Mode { PER_REQUEST, POOL }

    private static final Set<String> KEYS = Set.of("name", "version", "command", "mode", "env", "pool", "queue",
            "startupTimeoutMs", "idleTimeoutMs", "heartbeatTimeoutMs", "terminationTimeoutMs", "maxStdoutBytes",
            "maxStderrBytes", "memoryMb", "cpuSeconds", "maxRestarts", "restartWindowSeconds", "idempotent", "selfTest", "streams");

    static Manifest parse(JsonNode json) {
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException("cage.json must hold a JSON object");
        }
        json.fieldNames().forEachRemaining(key -> {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("cage.json: unknown key '" + key + "' (known: " + KEYS.stream().sorted().toList() + ")");
            }
        });
        String name = text(json, "name", null);
        if (name == null) {
            throw new IllegalArgumentException("cage.json: 'name' is missing");
        }
        String version = text(json, "version", null);
        if (version == null) {
            throw new IllegalArgumentException("process cage '" + name + "': cage.json has no 'version'");
        }
        JsonNode commandNode = json.get("command");
        if (commandNode == null || !commandNode.isArray() || commandNode.isEmpty()) {
            throw new IllegalArgumentException("process cage '" + name + "': 'command' must be a non-empty array of strings (argv), e.g. [\"python3\", \"main.py\"]");
        }
        List<String> command = strings(name, "command", commandNode);
        String modeText = text(json, "mode", "pool");
        Mode mode = switch (modeText) {
            case "pool" -> Mode.POOL;
            case "per-request" -> Mode.PER_REQUEST;
            default -> throw new IllegalArgumentException("process cage '" + name + "': 'mode' must be \"pool\" or \"per-request\", not \"" + modeText + "\"");
        };
        Map<String, String> env = new LinkedHashMap<>();
        JsonNode envNode = json.get("env");
        if (envNode != null) {
            if (!envNode.isObject()) {
                throw new IllegalArgumentException("process cage '" + name + "': 'env' must be an object of strings");
            }
            envNode.fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        }
        JsonNode selfTest = json.get("selfTest");
        String selfTestOperation = null;
        JsonNode selfTestParams = null;
        if (selfTest != null && !selfTest.isNull()) {
            if (!selfTest.isObject() || !selfTest.path("operation").isTextual()) {
                throw new IllegalArgumentException("process cage '" + name + "': 'selfTest' must be {\"operation\": \"...\", \"params\": {...}}");
            }
            selfTestOperation = selfTest.get("operation").asText();
            selfTestParams = selfTest.get("params");
        }
        List<String> idempotent = json.has("idempotent") ? strings(name, "idempotent", json.get("idempotent")) : List.of();
        Map<String, String> streams = streams(name, json.get("streams"), mode);
        return new Manifest(name, version, command, mode, Map.copyOf(env),
                positive(json, name, "pool", 10), (int) atLeast(json, name, "queue", 100, 0),
                positive(json, name, "startupTimeoutMs", 10_000), positive(json, name, "idleTimeoutMs", 600_000),
                positive(json, name, "heartbeatTimeoutMs", 30_000), positive(json, name, "terminationTimeoutMs", 5_000),
                (int) positive(json, name, "maxStdoutBytes", 16 << 20), (int) positive(json, name, "maxStderrBytes", 64 << 10),
                atLeast(json, name, "memoryMb", 0, 0), atLeast(json, name, "cpuSeconds", 0, 0),
                (int) atLeast(json, name, "maxRestarts", 5, 0), positive(json, name, "restartWindowSeconds", 10),
                idempotent, selfTestOperation, selfTestParams, streams);
    }

    /**
     * {@code "streams": {"export": "text/csv"}}: operations whose answer is the process's stdout itself, streamed
     * as it is written, with its content type. Per-request mode only: a pool worker's stdout carries frames.
     */
    private static Map<String, String> streams(String cage, JsonNode node, Mode mode) {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        String shape = "process cage '" + cage + "': 'streams' must map operation names to content types, e.g. {\"export\": \"text/csv\"}";
        if (!node.isObject()) {
            throw new IllegalArgumentException(shape);
        }
        if (mode != Mode.PER_REQUEST && !node.isEmpty()) {
            throw new IllegalArgumentException("process cage '" + cage + "': 'streams' needs \"mode\": \"per-request\" (a pool"
                    + " worker's stdout carries frames, so pool workers cannot stream yet)");
        }
        Map<String, String> streams = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> {
            if (!e.getValue().isTextual() || e.getValue().asText().isBlank()) {
                throw new IllegalArgumentException(shape + "; '" + e.getKey() + "' has " + e.getValue());
            }
            streams.put(e.getKey(), e.getValue().asText().trim());
        });
        return Map.copyOf(streams);
    }

    private static String text(JsonNode json, String key, String fallback) {
        JsonNode node = json.get(key);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isTextual() || node.asText().isBlank()) {
            throw new IllegalArgumentException("cage.json: '" + key + "' must be a non-empty string");
        }
        return node.asText().trim();
    }

    private static List<String> strings(String cage, String key, JsonNode node) {
        if (!node.isArray()) {
            throw new IllegalArgumentException("process cage '" + cage + "': '" + key + "' must be an array of strings");
        }
        List<String> result = new ArrayList<>();
        for (JsonNode item : node) {
            if (item.getNodeType() != JsonNodeType.STRING) {
                throw new IllegalArgumentException("process cage '" + cage + "': '" + key + "' must be an array of strings, found " + item);
            }
            result.add(item.asText());
        }
        return List.copyOf(result);
    }

    private static int positive(JsonNode json, String cage, String key, int fallback) {
        return (int) atLeast(json, cage, key, fallback, 1);
    }

    private static long atLeast(JsonNode json, String cage, String key, long fallback, long min) {
        JsonNode node = json.get(key);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.canConvertToLong() || !node.isIntegralNumber() || node.asLong() < min) {
            throw new IllegalArgumentException("process cage '" + cage + "': '" + key + "' must be an integer of at least " + min + ", not " + node);
        }
        return node.asLong();
    }

    @Override
    public String toString() {
        return name + " " + version;
    }
}
