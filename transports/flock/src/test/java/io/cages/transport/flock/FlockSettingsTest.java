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

    @Test
    void theSectionIsReadStrictlyWithTheFullKeyPath() {
        IllegalArgumentException typo = assertThrows(IllegalArgumentException.class,
                () -> FlockSettings.from(section().put("rpcport", 7071)));
        assertEquals("transports.flock.rpcport: unknown key (known: [bind, discovery, failureTimeoutMs, hosts, insecure, keyExchangePort, "
                + "multicastAddress, multicastPort, name, port, publishMs, rpcIdleTimeoutMs, rpcPort])", typo.getMessage());
        ObjectNode statics = section().put("discovery", "static");
        statics.putArray("hosts").add("10.0.0.5:7800").add("10.0.0.6");
        assertEquals("transports.flock.hosts[1] is not address:port",
                assertThrows(IllegalArgumentException.class, () -> FlockSettings.from(statics)).getMessage());
        assertEquals("transports.flock.discovery must be \"multicast\" or \"static\", was \"dns\"",
                assertThrows(IllegalArgumentException.class, () -> FlockSettings.from(section().put("discovery", "dns"))).getMessage());
        assertEquals("transports.flock.name is required: the name of the flock to join",
                assertThrows(IllegalArgumentException.class, () -> FlockSettings.from(JSON.createObjectNode())).getMessage());
    }

    @Test
    void aHostJGroupsCannotContactIsRefusedByIndex() {
        for (String unreachable : new String[] {"10.0.0.6:78000", "10.0.0.6:0"}) {
            ObjectNode statics = section().put("discovery", "static");
            statics.putArray("hosts").add("10.0.0.5:7800").add("fe80::1:7800").add(unreachable);
            assertEquals("transports.flock.hosts[2] has a port out of range: must be 1..65535",
                    assertThrows(IllegalArgumentException.class, () -> FlockSettings.from(statics)).getMessage());
        }
        for (String garbled : new String[] {"[fe80::1]:7800", "10.0.0.5:7800,10.0.0.6:7800", "10.0.0.5 10.0.0.6:7800"}) {
            ObjectNode one = section().put("discovery", "static");
            one.putArray("hosts").add(garbled);
            assertEquals("transports.flock.hosts[0] is not address:port (one host per entry; an IPv6 address goes without"
                    + " brackets: fe80::1:7800)", assertThrows(IllegalArgumentException.class, () -> FlockSettings.from(one)).getMessage());
        }
        ObjectNode fine = section().put("discovery", "static");
        fine.putArray("hosts").add("10.0.0.5:7800").add("fe80::1:7800").add("h2.example:1");
        assertEquals(3, FlockSettings.from(fine).hosts().size());
    }

    @Test
    void theKeyExchangePortDefaultsToJGroupsAndMayNotBeZero() {
        assertEquals(2157, FlockSettings.from(section()).keyExchangePort());
        assertEquals(7801, FlockSettings.from(section().put("keyExchangePort", 7801)).keyExchangePort());
        assertEquals("transports.flock.keyExchangePort must be 1..65535, was 0",
                assertThrows(IllegalArgumentException.class, () -> FlockSettings.from(section().put("keyExchangePort", 0))).getMessage());
    }

    @Test
    void valuesMayComeFromTheEnvironment() {
        FlockSettings s = FlockSettings.from(JSON.createObjectNode().put("name", "${env:FLOCK}").put("rpcPort", "${env:RPC_PORT}"),
                java.util.Map.of("FLOCK", "payments", "RPC_PORT", "7171")::get);
        assertEquals("payments", s.name());
        assertEquals(7171, s.rpcPort());
    }
}
