package io.cages.resources.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cages.host.spi.Settings;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The host's resources file, split by kind:
 *
 * <pre>{@code
 * {"embeddedBroker": {"enabled": true, "tcpPort": -1, "maxDeliveryAttempts": 10},
 *  "resources": {"inventory": {"kind": "jdbc", "url": "jdbc:h2:file:./work/data/inventory", "maxPoolSize": 8},
 *                "events":    {"kind": "jms",  "brokerUrl": "vm://0"}},
 *  "durableCalls": {"inbox": {"billing": "billing"}}}
 * }</pre>
 *
 * Each kind validates its own settings; this class only checks the envelope: known top-level keys, a kind
 * on every resource, and names a cage can write.
 */
record ResourcesFile(EmbeddedBrokerSettings broker, Map<String, JsonNode> jdbc, Map<String, JsonNode> jms, DurableSettings durable) {

    private static final Set<String> KEYS = Set.of("embeddedBroker", "resources", "durableCalls");
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,62}");

    /** @throws io.cages.host.spi.SettingsException naming the key or resource and what is wrong */
    static ResourcesFile parse(JsonNode root, Function<String, String> env) {
        Settings file = Settings.of(root, "", env, KEYS);
        EmbeddedBrokerSettings broker = EmbeddedBrokerSettings.read(file, "embeddedBroker");
        Map<String, JsonNode> jdbc = new LinkedHashMap<>();
        Map<String, JsonNode> jms = new LinkedHashMap<>();
        Settings resources = file.map("resources");
        for (String name : resources.names()) {
            if (!NAME.matcher(name).matches()) {
                throw resources.problem(name, "not a valid resource name (a letter, then letters, digits, '_', '.', '-')");
            }
            Settings resource = resources.map(name); // its kind checks the other keys
            String kind = resource.choice("kind", null, "jdbc", "jms");
            if (kind == null) {
                throw resource.invalid("kind", "is required: \"jdbc\" or \"jms\"");
            }
            ObjectNode settings = ((ObjectNode) resources.raw(name)).deepCopy();
            settings.remove("kind");
            (kind.equals("jdbc") ? jdbc : jms).put(name, settings);
        }
        return new ResourcesFile(broker, Map.copyOf(jdbc), Map.copyOf(jms), DurableSettings.read(file, "durableCalls"));
    }
}
