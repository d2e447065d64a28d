package io.cages.resources.jms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JmsSettingsTest {

    static JsonNode json(String text) throws Exception {
        return new ObjectMapper().readTree(text);
    }

    @Test
    void emptyObjectGivesDefaults() throws Exception {
        JmsSettings s = JmsSettings.fromJson(json("{}"), name -> null);
        assertEquals("vm://0", s.brokerUrl());
        assertEquals(JmsSettings.defaults(), s);
    }

    @Test
    void credentialsComeFromTheEnvironmentAndThePasswordIsNeverShown() throws Exception {
        Map<String, String> env = Map.of("MQ_USER", "billing", "MQ_PASS", "s3cret!$");
        JmsSettings s = JmsSettings.fromJson(json("""
                {"brokerUrl": "tcp://mq:61616", "username": "${env:MQ_USER}", "password": "${env:MQ_PASS}",
                 "maxConnections": 3, "maxSessionsPerConnection": "${env:SESSIONS}", "sendTimeoutMs": 900}"""),
                name -> name.equals("SESSIONS") ? "7" : env.get(name));
        assertEquals("billing", s.username());
        assertEquals("s3cret!$", s.password());
        assertEquals(3, s.maxConnections());
        assertEquals(7, s.maxSessionsPerConnection());
        assertFalse(s.toString().contains("s3cret"), s.toString());
        assertTrue(s.toString().contains("password=***"), s.toString());
    }

    @Test
    void badSettingsAreRejectedWithTheKey() throws Exception {
        var unknown = assertThrows(IllegalArgumentException.class, () -> JmsSettings.fromJson(json("{\"brokerURL\": \"x\"}"), n -> null));
        assertTrue(unknown.getMessage().startsWith("brokerURL: unknown key"), unknown.getMessage());

        var missingEnv = assertThrows(IllegalArgumentException.class,
                () -> JmsSettings.fromJson(json("{\"password\": \"${env:NOPE}\"}"), n -> null));
        assertEquals("password: environment variable NOPE is not set", missingEnv.getMessage());

        var wrongType = assertThrows(IllegalArgumentException.class, () -> JmsSettings.fromJson(json("{\"maxConnections\": \"two\"}"), n -> null));
        assertTrue(wrongType.getMessage().contains("maxConnections must be a whole number"), wrongType.getMessage());

        var zero = assertThrows(IllegalArgumentException.class, () -> JmsSettings.fromJson(json("{\"maxConnections\": 0}"), n -> null));
        assertTrue(zero.getMessage().contains("maxConnections must be positive"), zero.getMessage());
    }

    @Test
    void deliveryModeIsPersistentUnlessSaidOtherwiseAndOnlyTheTwoNamesAreAccepted() throws Exception {
        assertEquals(JmsSettings.Delivery.PERSISTENT, JmsSettings.fromJson(json("{}"), n -> null).deliveryMode());
        assertEquals(JmsSettings.Delivery.PERSISTENT,
                JmsSettings.fromJson(json("{\"deliveryMode\": \"persistent\"}"), n -> null).deliveryMode());
        JmsSettings fast = JmsSettings.fromJson(json("{\"deliveryMode\": \"${env:MODE}\"}"), n -> n.equals("MODE") ? "non-persistent" : null);
        assertEquals(JmsSettings.Delivery.NON_PERSISTENT, fast.deliveryMode());
        assertTrue(fast.toString().contains("deliveryMode=non-persistent"), fast.toString());

        for (String bad : new String[] {"\"NON_PERSISTENT\"", "\"Persistent\"", "\"\"", "\"durable\""}) {
            var e = assertThrows(IllegalArgumentException.class, () -> JmsSettings.fromJson(json("{\"deliveryMode\": " + bad + "}"), n -> null));
            assertEquals("deliveryMode must be \"persistent\" or \"non-persistent\", was " + bad, e.getMessage());
        }
        var notText = assertThrows(IllegalArgumentException.class, () -> JmsSettings.fromJson(json("{\"deliveryMode\": 2}"), n -> null));
        assertEquals("deliveryMode must be a string", notText.getMessage());
    }
}
