package io.cages.transport.flock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** The RPC idle timeout a flock's hosts use: its default, and a value the heartbeat cannot honour. */
class FlockSettingsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode section() {
        return JSON.createObjectNode().put("name", "f");
    }

    @Test
    void rpcIdleTimeoutDefaultsToTheRpcTransportsAndMayBeRaised() {
        assertEquals(3_000L, FlockSettings.from(section()).rpcIdleTimeoutMs());
        assertEquals(60_000L, FlockSettings.from(section().put("rpcIdleTimeoutMs", 60_000)).rpcIdleTimeoutMs());
    }

    @Test
    void anRpcIdleTimeoutShorterThanTwoHeartbeatsIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FlockSettings.from(section().put("rpcIdleTimeoutMs", 1_500)));
        assertEquals("transports.flock.rpcIdleTimeoutMs must be at least 2000 (twice the RPC heartbeat), was 1500", e.getMessage());
    }
}
