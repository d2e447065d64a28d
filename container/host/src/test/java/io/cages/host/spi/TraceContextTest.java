package io.cages.host.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TraceContextTest {

    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String SPAN = "00f067aa0ba902b7";
    private static final String HEADER = "00-" + TRACE + "-" + SPAN + "-01";

    @Test
    void anIncomingTraceparentMakesAChildSpanOfTheCaller() {
        TraceContext hop = TraceContext.incoming(HEADER, "congo=t61rcWkgMzE");
        assertEquals(TRACE, hop.traceId());
        assertEquals(SPAN, hop.parentSpanId());
        assertTrue(hop.spanId().matches("[0-9a-f]{16}") && !hop.spanId().equals(SPAN), hop.spanId());
        assertEquals("congo=t61rcWkgMzE", hop.state());
        assertEquals("00-" + TRACE + "-" + hop.spanId() + "-01", hop.traceparent());
        assertTrue(hop.sampled());
    }

    @Test
    void invalidHeadersStartANewTrace() {
        for (String invalid : new String[] {"", "garbage", HEADER.toUpperCase(), HEADER.substring(0, 54),
                "00-" + "0".repeat(32) + "-" + SPAN + "-01", "00-" + TRACE + "-" + "0".repeat(16) + "-01",
                "ff-" + TRACE + "-" + SPAN + "-01", HEADER + "-extra", "00_" + TRACE + "-" + SPAN + "-01",
                "0g-" + TRACE + "-" + SPAN + "-01", "00-" + TRACE.substring(0, 31) + "\u00e9-" + SPAN + "-01",
                "00-" + TRACE + "-" + SPAN.substring(0, 15) + "g-01", "00-" + TRACE + "-" + SPAN + "-0x",
                "00-" + TRACE.replace('a', 'A') + "-" + SPAN + "-01"}) {
            TraceContext hop = TraceContext.incoming(invalid, "a=b");
            assertNotEquals(TRACE, hop.traceId(), invalid);
            assertNull(hop.parentSpanId(), invalid);
            assertNull(hop.state(), invalid);
            assertTrue(hop.traceparent().matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01"), invalid);
        }
    }

    @Test
    void aFutureVersionIsReadByItsFirstFourFields() {
        TraceContext hop = TraceContext.incoming("01-" + TRACE + "-" + SPAN + "-00-what-comes-later", null);
        assertEquals(TRACE, hop.traceId());
        assertEquals(SPAN, hop.parentSpanId());
        assertEquals("00", hop.flags(), "not sampled: kept");
    }

    @Test
    void anOlderHostsBareIdOnTheWireStaysTheTraceId() {
        TraceContext hop = TraceContext.fromWire("1a2b3c4d-5f");
        assertEquals("1a2b3c4d-5f", hop.traceId());
        assertNull(hop.traceparent(), "not a W3C trace: nothing to send as traceparent");
        assertEquals("1a2b3c4d-5f", hop.child().wireValue());
        assertEquals(TRACE, TraceContext.fromWire(HEADER).traceId());
        assertTrue(TraceContext.fromWire(null).isW3c());
    }

    @Test
    void attributesCarryTheContextAndAnswerWithoutAMap() {
        TraceContext hop = TraceContext.incoming(HEADER, null);
        Map<String, String> attributes = new HashMap<>();
        hop.putInto(attributes);
        assertEquals(hop, TraceContext.of(attributes));
        for (String name : attributes.keySet()) {
            assertEquals(attributes.get(name), hop.attribute(name), name);
        }
        class Carried extends java.util.AbstractMap<String, String> implements TraceContext.Carrier {
            @Override
            public TraceContext trace() {
                return hop;
            }

            @Override
            public java.util.Set<Entry<String, String>> entrySet() {
                throw new AssertionError("a carrier's context is taken as it is");
            }
        }
        assertEquals(hop, TraceContext.of(new Carried()));
        TraceContext named = TraceContext.of(Map.of(TraceContext.TRACE_ID, "trace-7"));
        assertEquals("trace-7", named.traceId());
        assertNull(TraceContext.of(Map.of()));
    }

    @Test
    void aChildKeepsTheTraceAndPointsAtItsParent() {
        TraceContext root = TraceContext.root();
        TraceContext child = root.child();
        assertEquals(root.traceId(), child.traceId());
        assertEquals(root.spanId(), child.parentSpanId());
        assertNotEquals(root.spanId(), child.spanId());
    }

    @Test
    void currentIsPerThreadAndRestored() {
        TraceContext outer = TraceContext.root();
        TraceContext before = TraceContext.enter(outer);
        TraceContext previous = TraceContext.enter(outer.child());
        assertEquals(outer, previous);
        TraceContext.restore(previous);
        assertEquals(outer, TraceContext.current());
        TraceContext.restore(before);
        assertNull(TraceContext.current());
    }

    @Test
    void idsHeldAsNumbersReadAsTheTextTheyCameAs() {
        TraceContext parsed = TraceContext.parse(HEADER, null);
        TraceContext given = new TraceContext(TRACE, SPAN, null, "01", null);
        assertEquals(TRACE, parsed.traceId());
        assertEquals(SPAN, parsed.spanId());
        assertNull(parsed.parentSpanId());
        assertEquals(given, parsed);
        assertEquals(given.hashCode(), parsed.hashCode());
        assertEquals(given.toString(), parsed.toString());
        assertEquals("TraceContext[traceId=" + TRACE + ", spanId=" + SPAN + ", parentSpanId=null, flags=01, state=null]",
                parsed.toString(), "the text the record printed");
        assertEquals(HEADER, parsed.traceparent());
        assertEquals("03", TraceContext.parse("00-" + TRACE + "-" + SPAN + "-03", null).flags(), "other flags kept as sent");
        assertEquals("00000000000000010000000000000002",
                TraceContext.parse("00-00000000000000010000000000000002-ffffffffffffffff-01", null).traceId(), "leading zeros kept");
        assertEquals("ffffffffffffffff", TraceContext.parse("00-" + TRACE + "-ffffffffffffffff-01", null).spanId());
    }

    @Test
    void aChildOfGivenIdsPointsAtTheGivenSpan() {
        TraceContext given = new TraceContext(TRACE, "not-hex-span", null, "01", "k=v");
        TraceContext child = given.child();
        assertEquals(TRACE, child.traceId());
        assertEquals("not-hex-span", child.parentSpanId());
        assertEquals("k=v", child.state());
        assertTrue(child.spanId().matches("[0-9a-f]{16}"), child.spanId());
        assertEquals("00-" + TRACE + "-" + child.spanId() + "-01", child.wireValue());
        TraceContext legacy = new TraceContext("trace-7", SPAN, null, "01", null);
        assertTrue(!legacy.isW3c() && legacy.traceparent() == null && legacy.wireValue().equals("trace-7"));
        TraceContext root = TraceContext.root();
        assertTrue(root.traceId().matches("[0-9a-f]{32}") && root.isW3c(), root.traceId());
        TraceContext grandchild = root.child().child();
        assertEquals(root.traceId(), grandchild.traceId());
    }
}
