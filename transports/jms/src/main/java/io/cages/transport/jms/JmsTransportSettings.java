package io.cages.transport.jms;

import com.fasterxml.jackson.databind.JsonNode;
import io.cages.host.spi.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import io.cages.resources.jms.JmsSettings;

/**
 * Settings of the JMS transport: which queues feed which cage operations. Read from the host config's
 * {@code transports.jms} section with {@link Settings}: unknown keys are rejected, strings (and numbers given as
 * strings) may be {@code ${env:NAME}}.
 *
 * <pre>{"connection": {"brokerUrl": "vm://0"}, "maxDeliveryAttempts": 5,
 *  "bindings": [{"queue": "billing.charge", "cage": "billing", "operation": "charge", "consumers": 2}]}</pre>
 *
 * @param connection          broker connection (pool sizes are not used by the transport)
 * @param maxDeliveryAttempts deliveries of one message before the transport moves it to the DLQ with the
 *                            reason; keep it at or below the broker's own max-delivery-attempts, or the broker
 *                            moves it first, without the reason
 * @param receiveTimeoutMs    how long one receive waits; bounds how fast {@code stopAccepting} takes effect
 * @param bindings            queue to cage operation
 */
public record JmsTransportSettings(JmsSettings connection, int maxDeliveryAttempts, long receiveTimeoutMs,
                                   List<Binding> bindings) {

    private static final String PATH = "transports.jms";
    private static final Set<String> KEYS = Set.of("connection", "maxDeliveryAttempts", "receiveTimeoutMs", "bindings");
    private static final Set<String> BINDING_KEYS = Set.of("queue", "cage", "operation", "consumers");

    public JmsTransportSettings {
        connection = connection != null ? connection : JmsSettings.defaults();
        if (maxDeliveryAttempts <= 0) {
            throw new IllegalArgumentException("maxDeliveryAttempts must be positive, was " + maxDeliveryAttempts);
        }
        if (receiveTimeoutMs <= 0) {
            throw new IllegalArgumentException("receiveTimeoutMs must be positive, was " + receiveTimeoutMs);
        }
        bindings = bindings != null ? List.copyOf(bindings) : List.of();
    }

    /**
     * @param queue     queue consumed
     * @param cage      cage that handles its messages
     * @param operation operation called for each message
     * @param consumers concurrent consumers (each a session and a virtual thread); order is kept only with 1
     */
    public record Binding(String queue, String cage, String operation, int consumers) {
        public Binding {
            if (queue == null || queue.isBlank() || cage == null || cage.isBlank() || operation == null || operation.isBlank()) {
                throw new IllegalArgumentException("a binding needs queue, cage and operation");
            }
            if (consumers <= 0) {
                throw new IllegalArgumentException("consumers must be positive, was " + consumers);
            }
        }
    }

    /** Reads the host config's {@code transports.jms} section, with {@code ${env:NAME}} from the process environment. */
    public static JmsTransportSettings fromJson(JsonNode node) {
        return fromJson(node, System::getenv);
    }

    /**
     * Reads the section; every check of the constructors is made here first, so the message names the key's
     * full path and never shows a value that came from the environment.
     *
     * @throws io.cages.host.spi.SettingsException naming the key that is wrong
     */
    public static JmsTransportSettings fromJson(JsonNode node, Function<String, String> env) {
        Settings s = Settings.of(node, PATH, env, KEYS);
        List<Binding> bindings = new ArrayList<>();
        for (Settings b : s.objects("bindings", BINDING_KEYS)) {
            bindings.add(new Binding(required(b, "queue"), required(b, "cage"), required(b, "operation"),
                    b.integer("consumers", 1, 1, Integer.MAX_VALUE)));
        }
        return new JmsTransportSettings(JmsSettings.read(s, "connection"),
                s.integer("maxDeliveryAttempts", 5, 1, Integer.MAX_VALUE),
                s.longValue("receiveTimeoutMs", 200, 1, Long.MAX_VALUE), bindings);
    }

    private static String required(Settings binding, String key) {
        String value = binding.string(key, null);
        if (value == null || value.isBlank()) {
            throw binding.invalid(key, "is required: a binding needs queue, cage and operation");
        }
        return value;
    }
}
