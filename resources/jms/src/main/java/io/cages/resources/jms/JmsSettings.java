package io.cages.resources.jms;

import com.fasterxml.jackson.databind.JsonNode;
import io.cages.host.spi.Settings;
import java.util.Arrays;
import java.util.Set;
import java.util.function.Function;
import javax.jms.DeliveryMode;

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
 * @param deliveryMode             how the resource's sends are delivered; {@link Delivery#PERSISTENT} by default
 */
public record JmsSettings(String brokerUrl, String username, String password, int maxConnections,
                          int maxSessionsPerConnection, long sendTimeoutMs, Delivery deliveryMode) {

    private static final Set<String> KEYS = Set.of("brokerUrl", "username", "password", "maxConnections",
            "maxSessionsPerConnection", "sendTimeoutMs", "deliveryMode");

    /**
     * How sends are delivered (config key {@code deliveryMode}).
     *
     * <p>{@code persistent}: written to the broker's journal, and the send waits for the broker to confirm it,
     * so a send that returned survives a broker restart. {@code non-persistent}: kept in the broker's memory
     * only (lost if it stops), and the send does not wait for the broker (Artemis sends non-durable messages
     * asynchronously unless the URL says {@code blockOnNonDurableSend=true}): a send that returned has left the
     * client, no more; a broken connection fails a later send. For events that may be lost, at a fraction of
     * the cost.
     */
    public enum Delivery {
        PERSISTENT("persistent", DeliveryMode.PERSISTENT),
        NON_PERSISTENT("non-persistent", DeliveryMode.NON_PERSISTENT);

        private final String key;
        private final int jms;

        Delivery(String key, int jms) {
            this.key = key;
            this.jms = jms;
        }

        /** The value in configs/. */
        public String key() {
            return key;
        }

        /** The {@link DeliveryMode} constant. */
        public int jms() {
            return jms;
        }

        static String[] keys() {
            return Arrays.stream(values()).map(Delivery::key).toArray(String[]::new);
        }

        /** @throws IllegalArgumentException naming the allowed values and the one given */
        public static Delivery parse(String value) {
            for (Delivery d : values()) {
                if (d.key.equals(value)) {
                    return d;
                }
            }
            throw new IllegalArgumentException("deliveryMode must be \"persistent\" or \"non-persistent\", was \"" + value + "\"");
        }
    }

    public JmsSettings {
        brokerUrl = brokerUrl == null || brokerUrl.isBlank() ? "vm://0" : brokerUrl;
        deliveryMode = deliveryMode == null ? Delivery.PERSISTENT : deliveryMode;
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

    /** Persistent sends. */
    public JmsSettings(String brokerUrl, String username, String password, int maxConnections, int maxSessionsPerConnection,
                       long sendTimeoutMs) {
        this(brokerUrl, username, password, maxConnections, maxSessionsPerConnection, sendTimeoutMs, Delivery.PERSISTENT);
    }

    public static JmsSettings defaults() {
        return new JmsSettings(null, null, null, 2, 16, 5_000, Delivery.PERSISTENT);
    }

    public JmsSettings withDeliveryMode(Delivery mode) {
        return new JmsSettings(brokerUrl, username, password, maxConnections, maxSessionsPerConnection, sendTimeoutMs, mode);
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
        return read(Settings.of(node, "", env, KEYS));
    }

    /** Reads the settings at {@code key} of {@code parent}, e.g. the {@code connection} of a transport's section. */
    public static JmsSettings read(Settings parent, String key) {
        return read(parent.object(key, KEYS));
    }

    // Every check of the constructor is made first by the reader, so the message names the key's path and
    // never shows a value that came from the environment.
    private static JmsSettings read(Settings s) {
        JmsSettings d = defaults();
        return new JmsSettings(
                s.string("brokerUrl", d.brokerUrl),
                s.string("username", null),
                s.string("password", null),
                s.integer("maxConnections", d.maxConnections, 1, Integer.MAX_VALUE),
                s.integer("maxSessionsPerConnection", d.maxSessionsPerConnection, 1, Integer.MAX_VALUE),
                s.longValue("sendTimeoutMs", d.sendTimeoutMs, 1, Long.MAX_VALUE),
                Delivery.parse(s.choice("deliveryMode", d.deliveryMode.key(), Delivery.keys())));
    }

    @Override
    public String toString() {
        return "JmsSettings[brokerUrl=" + brokerUrl + ", username=" + username + ", password=" + (password == null ? "null" : "***")
                + ", maxConnections=" + maxConnections + ", maxSessionsPerConnection=" + maxSessionsPerConnection
                + ", sendTimeoutMs=" + sendTimeoutMs + ", deliveryMode=" + deliveryMode.key() + "]";
    }
}
