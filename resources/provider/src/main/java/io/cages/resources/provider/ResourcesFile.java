package io.cages.resources.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The host's resources file, split by kind:
 *
 * <pre>{@code
 * {"embeddedBroker": {"enabled": true, "tcpPort": -1, "maxDeliveryAttempts": 10},
 *  "resources": {"inventory": {"kind": "jdbc", "url": "jdbc:h2:file:./work/data/inventory", "maxPoolSize": 8},
 *                "events":    {"kind": "jms",  "brokerUrl": "vm://0"}}}
 * }</pre>
 *
 * Each kind validates its own settings; this class only checks the envelope: known top-level keys, a kind
 * on every resource, and names a cage can write.
 */
record ResourcesFile(EmbeddedBrokerSettings broker, Map<String, JsonNode> jdbc, Map<String, JsonNode> jms) {

    private static final Set<String> KEYS = Set.of("embeddedBroker", "resources");
    private static final Set<String> KINDS = Set.of("jdbc", "jms");
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,62}");

    /** @throws IllegalArgumentException naming the key or resource and what is wrong */
    static ResourcesFile parse(JsonNode root) {
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException(key + ": unknown key (known: " + new TreeSet<>(KEYS) + ")");
            }
        }
        EmbeddedBrokerSettings broker = EmbeddedBrokerSettings.parse(root.get("embeddedBroker"));
        Map<String, JsonNode> jdbc = new LinkedHashMap<>();
        Map<String, JsonNode> jms = new LinkedHashMap<>();
        JsonNode resources = root.get("resources");
        if (resources != null && !resources.isNull()) {
            if (!resources.isObject()) {
                throw new IllegalArgumentException("resources must be a JSON object of name to settings");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = resources.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String name = e.getKey();
                if (!NAME.matcher(name).matches()) {
                    throw new IllegalArgumentException("resources." + name + ": not a valid resource name (a letter, then letters, digits, '_', '.', '-')");
                }
                if (!e.getValue().isObject()) {
                    throw new IllegalArgumentException("resources." + name + " must be a JSON object");
                }
                JsonNode kind = e.getValue().get("kind");
                if (kind == null || !kind.isTextual() || !KINDS.contains(kind.asText())) {
                    throw new IllegalArgumentException("resources." + name + ".kind must be one of " + new TreeSet<>(KINDS)
                            + (kind == null ? " (missing)" : ", was " + kind));
                }
                ObjectNode settings = ((ObjectNode) e.getValue()).deepCopy();
                settings.remove("kind");
                (kind.asText().equals("jdbc") ? jdbc : jms).put(name, settings);
            }
        }
        return new ResourcesFile(broker, Map.copyOf(jdbc), Map.copyOf(jms));
    }
}
