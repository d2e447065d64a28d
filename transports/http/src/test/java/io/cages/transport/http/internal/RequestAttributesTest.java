package io.cages.transport.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.TraceContext;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestAttributesTest {

    private static final TraceContext TRACE = TraceContext.incoming("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "a=b");

    /** Headers that fail the test if anything lists them: the map of all attributes is being built. */
    private static final class UnlistedHeaders extends DefaultHttpHeaders {
        @Override
        public Iterator<Map.Entry<CharSequence, CharSequence>> iteratorCharSequence() {
            throw new AssertionError("the attribute map was built");
        }
    }

    @Test
    void namesOutsideTheAttributesAnswerWithoutBuildingTheMap() {
        RequestAttributes attributes = new RequestAttributes("GET", "/hello/greet", "127.0.0.1", "5000", new UnlistedHeaders(), TRACE);
        assertNull(attributes.get(InboundRequest.DURABLE_KEY_ATTRIBUTE));
        assertFalse(attributes.containsKey(InboundRequest.DURABLE_KEY_ATTRIBUTE));
        assertNull(attributes.get(InboundRequest.TRANSPORT));
        assertNull(attributes.get("http.other"));
        assertNull(attributes.get("remote.other"));
        assertNull(attributes.get(42));
        assertEquals("GET", attributes.get("http.method"));
        assertEquals("/hello/greet", attributes.get("http.path"));
        assertEquals("127.0.0.1", attributes.get("remote.address"));
        assertTrue(attributes.containsKey("remote.port"));
        assertEquals(TRACE.traceId(), attributes.get(TraceContext.TRACE_ID));
        assertEquals(TRACE.parentSpanId(), attributes.get(TraceContext.PARENT_SPAN_ID));
        assertTrue(attributes.containsKey(TraceContext.STATE));
        assertSame(TRACE, TraceContext.of(attributes));
    }

    @Test
    void everyLookUpAnswersWhatTheBuiltMapHolds() {
        HttpHeaders headers = new DefaultHttpHeaders().add("X-Tenant", "t1").add("Accept", "a").add("accept", "b");
        RequestAttributes attributes = new RequestAttributes("POST", "/c/op", "10.0.0.1", "4242", headers, TRACE);
        Map<String, String> expected = new HashMap<>(Map.of("http.method", "POST", "http.path", "/c/op",
                "remote.address", "10.0.0.1", "remote.port", "4242", "header.x-tenant", "t1", "header.accept", "a, b"));
        TRACE.putInto(expected);
        assertEquals(expected, attributes);
        for (String name : new String[] {"header.x-tenant", "header.accept", "header.X-Tenant", "header.missing",
                "http.method", "trace.span", "trace.flags", InboundRequest.DURABLE_KEY_ATTRIBUTE}) {
            assertEquals(expected.get(name), attributes.get(name), name);
            assertEquals(expected.containsKey(name), attributes.containsKey(name), name);
        }
    }
}
