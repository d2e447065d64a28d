package io.cages.transport.jms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class JmsTransportSettingsTest {

    static JsonNode json(String text) throws Exception {
        return new ObjectMapper().readTree(text);
    }

    @Test
    void transportSettingsReadBindingsAndNameTheBadOne() throws Exception {
        JmsTransportSettings s = JmsTransportSettings.fromJson(json("""
                {"maxDeliveryAttempts": 3, "bindings": [{"queue": "q1", "cage": "billing", "operation": "charge", "consumers": 2}]}"""), n -> null);
        assertEquals(3, s.maxDeliveryAttempts());
        assertEquals(new JmsTransportSettings.Binding("q1", "billing", "charge", 2), s.bindings().get(0));

        var bad = assertThrows(IllegalArgumentException.class, () -> JmsTransportSettings.fromJson(json("""
                {"bindings": [{"queue": "q1", "cage": "billing"}]}"""), n -> null));
        assertEquals("transports.jms.bindings[0].operation is required: a binding needs queue, cage and operation", bad.getMessage());
        var typo = assertThrows(IllegalArgumentException.class, () -> JmsTransportSettings.fromJson(json("""
                {"bindings": [{"queue": "q1", "cage": "b", "operation": "o", "consumer": 2}]}"""), n -> null));
        assertTrue(typo.getMessage().startsWith("transports.jms.bindings[0].consumer: unknown key"), typo.getMessage());
        var connection = assertThrows(IllegalArgumentException.class, () -> JmsTransportSettings.fromJson(json("""
                {"connection": {"maxConnections": 0}}"""), n -> null));
        assertEquals("transports.jms.connection.maxConnections must be positive, was 0", connection.getMessage());
    }
}
