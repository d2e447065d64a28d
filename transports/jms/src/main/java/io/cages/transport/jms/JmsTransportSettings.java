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
 * {@code transports.jms} section; unknown keys are rejected.
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

    public static JmsTransportSettings fromJson(JsonNode node) {
        return fromJson(node, System::getenv);
    }

    public static JmsTransportSettings fromJson(JsonNode node, Function<String, String> env) {
        if (node == null || node.isNull()) {
            return new JmsTransportSettings(null, 5, 200, null);
        }
        Settings json = new Settings(node, "jms.", KEYS, env);
        List<Binding> bindings = new ArrayList<>();
        JsonNode list = json.node("bindings");
        if (list != null) {
            if (!list.isArray()) {
                throw new IllegalArgumentException("jms.bindings must be an array");
            }
            for (int i = 0; i < list.size(); i++) {
                String prefix = "jms.bindings[" + i + "].";
                Settings b = new Settings(list.get(i), prefix, BINDING_KEYS, env);
                try {
                    bindings.add(new Binding(b.string("queue", null), b.string("cage", null), b.string("operation", null),
                            b.integer("consumers", 1)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(prefix.substring(0, prefix.length() - 1) + ": " + e.getMessage(), e);
                }
            }
        }
        JsonNode connection = json.node("connection");
        try {
            return new JmsTransportSettings(connection == null ? null : JmsSettings.fromJson(connection, env),
                    json.integer("maxDeliveryAttempts", 5), json.longValue("receiveTimeoutMs", 200), bindings);
        } catch (IllegalArgumentException e) {
            throw e.getMessage().startsWith("jms.") ? e : new IllegalArgumentException("jms." + e.getMessage(), e);
        }
    }
}
