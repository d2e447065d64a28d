package io.cages.resources.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The resources file's envelope and the embedded broker's settings: strict, with the key path in errors. */
class ResourcesFileTest {

    private static ResourcesFile parse(String json) throws Exception {
        return ResourcesFile.parse(new ObjectMapper().readTree(json), Map.of("BROKER_PORT", "61617")::get);
    }

    private static String rejected(String json) {
        return assertThrows(IllegalArgumentException.class, () -> parse(json)).getMessage();
    }

    @Test
    void resourcesAreSplitByKindWithoutTheirKind() throws Exception {
        ResourcesFile file = parse("""
                {"resources": {"db": {"kind": "jdbc", "url": "jdbc:h2:mem:x"}, "q": {"kind": "jms"}}}""");
        assertEquals("{\"url\":\"jdbc:h2:mem:x\"}", file.jdbc().get("db").toString());
        assertEquals("{}", file.jms().get("q").toString());
        assertEquals(EmbeddedBrokerSettings.NONE, file.broker());
    }

    @Test
    void theEmbeddedBrokerIsOnOnceNamedAndItsPortMayComeFromTheEnvironment() throws Exception {
        EmbeddedBrokerSettings broker = parse("{\"embeddedBroker\": {\"tcpPort\": \"${env:BROKER_PORT}\"}}").broker();
        assertTrue(broker.enabled());
        assertEquals(61617, broker.tcpPort());
        assertEquals("127.0.0.1", broker.tcpBind());
    }

    @Test
    void badEnvelopesAreNamedByPath() {
        assertEquals("resource: unknown key (known: [durableCalls, embeddedBroker, resources])", rejected("{\"resource\": {}}"));
        assertEquals("durableCalls.inbox.billing must name a jdbc resource",
                rejected("{\"durableCalls\": {\"inbox\": {\"billing\": \"\"}}}"));
        assertEquals("durableCalls.expiry: unknown key (known: [database, dedupeWindowHours, expiryHours, inbox, pollMs])",
                rejected("{\"durableCalls\": {\"expiry\": 1}}"));
        assertEquals("resources.1db: not a valid resource name (a letter, then letters, digits, '_', '.', '-')",
                rejected("{\"resources\": {\"1db\": {\"kind\": \"jdbc\"}}}"));
        assertEquals("resources.db.kind is required: \"jdbc\" or \"jms\"", rejected("{\"resources\": {\"db\": {\"url\": \"jdbc:h2:mem:x\"}}}"));
        assertEquals("resources.db.kind must be \"jdbc\" or \"jms\", was \"mongo\"", rejected("{\"resources\": {\"db\": {\"kind\": \"mongo\"}}}"));
        assertEquals("resources.db must be a JSON object", rejected("{\"resources\": {\"db\": 1}}"));
        assertEquals("embeddedBroker.tcpPort must be 0..65535, or -1 for none, was 70000",
                rejected("{\"embeddedBroker\": {\"tcpPort\": 70000}}"));
        assertEquals("embeddedBroker.enabled must be true or false, was \"yes\"", rejected("{\"embeddedBroker\": {\"enabled\": \"yes\"}}"));
        assertEquals("embeddedBroker.maxDeliveryAttempts must be positive, was 0",
                rejected("{\"embeddedBroker\": {\"maxDeliveryAttempts\": 0}}"));
        assertEquals("embeddedBroker.inVmid: unknown key (known: [enabled, inVmId, maxDeliveryAttempts, tcpBind, tcpPort])",
                rejected("{\"embeddedBroker\": {\"inVmid\": 1}}"));
    }
}
