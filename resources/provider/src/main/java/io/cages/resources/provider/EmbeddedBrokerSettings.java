package io.cages.resources.provider;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;

/**
 * The broker the host may run itself (the demo default): persistent, with its journal under the host's work
 * folder, reached in the host's JVM as {@code vm://<inVmId>} and, when {@code tcpPort >= 0}, over TCP.
 * Read at host start only.
 *
 * @param enabled             whether to run it
 * @param inVmId              the in-VM acceptor id
 * @param tcpPort             a TCP acceptor's port, or -1 for none
 * @param tcpBind             the TCP acceptor's address
 * @param maxDeliveryAttempts deliveries before the broker moves a message to the DLQ
 */
record EmbeddedBrokerSettings(boolean enabled, int inVmId, int tcpPort, String tcpBind, int maxDeliveryAttempts) {

    static final EmbeddedBrokerSettings NONE = new EmbeddedBrokerSettings(false, 0, -1, "127.0.0.1", 10);
    private static final Set<String> KEYS = Set.of("enabled", "inVmId", "tcpPort", "tcpBind", "maxDeliveryAttempts");

    static EmbeddedBrokerSettings parse(JsonNode node) {
        if (node == null || node.isNull()) {
            return NONE;
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("embeddedBroker must be a JSON object");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("embeddedBroker." + key + ": unknown key (known: " + new TreeSet<>(KEYS) + ")");
            }
        }
        boolean enabled = bool(node, "enabled", true);
        int inVmId = integer(node, "inVmId", 0, 0);
        int tcpPort = integer(node, "tcpPort", -1, -1);
        if (tcpPort > 65535) {
            throw new IllegalArgumentException("embeddedBroker.tcpPort must be -1 (none) or a port, was " + tcpPort);
        }
        JsonNode bind = node.get("tcpBind");
        if (bind != null && !bind.isTextual()) {
            throw new IllegalArgumentException("embeddedBroker.tcpBind must be a string");
        }
        int attempts = integer(node, "maxDeliveryAttempts", 10, 1);
        return new EmbeddedBrokerSettings(enabled, inVmId, tcpPort, bind == null ? "127.0.0.1" : bind.asText(), attempts);
    }

    private static boolean bool(JsonNode node, String key, boolean fallback) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isBoolean()) {
            throw new IllegalArgumentException("embeddedBroker." + key + " must be true or false, was " + v);
        }
        return v.asBoolean();
    }

    private static int integer(JsonNode node, String key, int fallback, int min) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < min) {
            throw new IllegalArgumentException("embeddedBroker." + key + " must be an integer >= " + min + ", was " + v);
        }
        return v.asInt();
    }
}
