package io.cages.resources.jms;

import com.fasterxml.jackson.databind.JsonNode;
import io.cages.resources.jms.internal.Json;
import java.util.Set;
import java.util.function.Function;

/**
 * Connection and pool settings of a JMS resource, read from its JSON section in configs/.
 *
 * <p>String values may be {@code ${env:NAME}}: they are then read from the environment, so credentials need
 * not be written in config files. The password never appears in {@link #toString()}.
 *
 * @param brokerUrl                Artemis URL; {@code vm://0} (the embedded broker) by default
 * @param username                 or null
 * @param password                 or null
 * @param maxConnections           connections opened at most
 * @param maxSessionsPerConnection sessions (each with its producer) per connection
 * @param sendTimeoutMs            longest a blocking send or commit waits for the broker
 */
public record JmsSettings(String brokerUrl, String username, String password, int maxConnections,
                          int maxSessionsPerConnection, long sendTimeoutMs) {

    private static final Set<String> KEYS = Set.of("brokerUrl", "username", "password", "maxConnections",
            "maxSessionsPerConnection", "sendTimeoutMs");

    public JmsSettings {
        brokerUrl = brokerUrl == null || brokerUrl.isBlank() ? "vm://0" : brokerUrl;
        if (maxConnections <= 0) {
            throw new IllegalArgumentException("maxConnections must be positive, was " + maxConnections);
        }
        if (maxSessionsPerConnection <= 0) {
            throw new IllegalArgumentException("maxSessionsPerConnection must be positive, was " + maxSessionsPerConnection);
        }
        if (sendTimeoutMs <= 0) {
            throw new IllegalArgumentException("sendTimeoutMs must be positive, was " + sendTimeoutMs);
        }
    }

    public static JmsSettings defaults() {
        return new JmsSettings(null, null, null, 2, 16, 5_000);
    }

    /** Reads settings from the process environment. */
    public static JmsSettings fromJson(JsonNode node) {
        return fromJson(node, System::getenv);
    }

    /**
     * Reads settings; every key is optional, unknown keys are rejected.
     *
     * @param env looks up {@code ${env:NAME}} references (the process environment outside tests)
     * @throws IllegalArgumentException naming the key and what is wrong
     */
    public static JmsSettings fromJson(JsonNode node, Function<String, String> env) {
        JmsSettings d = defaults();
        if (node == null || node.isNull()) {
            return d;
        }
        Json json = new Json(node, "", KEYS, env);
        return new JmsSettings(
                json.string("brokerUrl", d.brokerUrl),
                json.string("username", null),
                json.string("password", null),
                json.integer("maxConnections", d.maxConnections),
                json.integer("maxSessionsPerConnection", d.maxSessionsPerConnection),
                json.longValue("sendTimeoutMs", d.sendTimeoutMs));
    }

    @Override
    public String toString() {
        return "JmsSettings[brokerUrl=" + brokerUrl + ", username=" + username + ", password=" + (password == null ? "null" : "***")
                + ", maxConnections=" + maxConnections + ", maxSessionsPerConnection=" + maxSessionsPerConnection
                + ", sendTimeoutMs=" + sendTimeoutMs + "]";
    }
}
