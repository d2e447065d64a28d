package io.cages.transport.rpc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.TraceContext;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RpcAttributesTest {

    private static final Map<String, String> PEER = Map.of("remote.address", "127.0.0.1", "remote.port", "40123");

    /** What the server's attribute map held before it was lazy: the attributes, each under its name. */
    private static Map<String, String> eager(TraceContext trace, boolean idempotent, String durableKey) {
        Map<String, String> attributes = new HashMap<>(PEER);
        trace.putInto(attributes);
        attributes.put(InboundRequest.TRANSPORT, "rpc");
        if (idempotent) {
            attributes.put("rpc.idempotent", "true");
        }
        if (durableKey != null) {
            attributes.put(InboundRequest.DURABLE_KEY_ATTRIBUTE, durableKey);
        }
        return attributes;
    }

    @Test
    void answersEveryNameAsTheMapOfAllAttributesDoes() {
        String[] wires = {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "1a2b3c4d-5f", null};
        for (String wire : wires) {
            for (boolean idempotent : new boolean[] {false, true}) {
                for (String key : new String[] {null, "k-1"}) {
                    TraceContext trace = TraceContext.fromWire(wire);
                    RpcAttributes lazy = new RpcAttributes(PEER, trace, idempotent, key);
                    Map<String, String> expected = eager(trace, idempotent, key);
                    for (String name : new String[] {"remote.address", "remote.port", TraceContext.TRACE_ID, TraceContext.SPAN_ID,
                            TraceContext.PARENT_SPAN_ID, TraceContext.FLAGS, TraceContext.STATE, "trace.other", InboundRequest.TRANSPORT,
                            "rpc.idempotent", InboundRequest.DURABLE_KEY_ATTRIBUTE, "header.x", "http.method"}) {
                        assertEquals(expected.get(name), lazy.get(name), name);
                        assertEquals(expected.containsKey(name), lazy.containsKey(name), name);
                    }
                    assertSame(trace, TraceContext.of(lazy));
                    assertEquals(expected, lazy);
                    assertEquals(expected.size(), lazy.size());
                }
            }
        }
    }

    @Test
    void aConnectionWithoutAnInetPeerHasNoRemoteAttributesAndTheMapIsReadOnly() {
        RpcAttributes attributes = new RpcAttributes(Map.of(), TraceContext.root(), false, null);
        assertNull(attributes.get("remote.address"));
        assertFalse(attributes.containsKey("remote.port"));
        assertNull(attributes.get(7));
        assertThrows(UnsupportedOperationException.class, () -> attributes.put("x", "y"));
    }
}
