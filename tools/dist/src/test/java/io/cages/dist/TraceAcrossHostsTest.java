package io.cages.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.admin.FlockMember;
import io.cages.host.testing.Await;
import io.cages.host.testing.Ports;
import io.cages.host.testing.TestCages;
import io.cages.resources.jms.EmbeddedBroker;
import io.cages.testcages.traced.TracedCage;
import io.cages.transport.flock.FlockTransport;
import io.cages.transport.http.HttpTransport;
import io.cages.transport.jms.JmsTransport;
import io.cages.transport.jms.JmsTransportSettings;
import io.cages.resources.jms.JmsSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * W3C trace context through real hosts and sockets: HTTP into h1's {@code front}, a call by name over RPC to
 * {@code middle} on h2 (h1 does not run it), a JMS message {@code middle} sends, consumed on h2 by {@code sink}.
 * One trace id all the way, a new span at each hop, a {@code traceparent} on the answer, and the trace id in the
 * MDC of every line the cages log while they serve it. Both hosts export their spans with OTLP to a receiver in
 * the test, where they arrive with the same ids and parent links.
 */
class TraceAcrossHostsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-01");
    private static final int IN_VM = 71;

    @TempDir
    Path dir;
    final List<Host> hosts = new ArrayList<>();
    EmbeddedBroker broker;
    HttpTransport http;
    final HttpClient client = HttpClient.newHttpClient();
    final Queue<ILoggingEvent> cageLines = new ConcurrentLinkedQueue<>();
    AppenderBase<ILoggingEvent> capture;
    OtlpReceiver otlp;

    @BeforeEach
    void start() throws Exception {
        System.getProperties().remove(TracedCage.RECORDED);
        capture = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                if (event.getLoggerName().startsWith("cage.")) {
                    event.prepareForDeferredProcessing(); // the MDC is read now, on the cage's thread
                    cageLines.add(event);
                }
            }
        };
        capture.start();
        root().addAppender(capture);

        otlp = new OtlpReceiver();
        HostConfig.Tracing tracing = new HostConfig.Tracing(otlp.endpoint(), 1.0);
        broker = EmbeddedBroker.start(dir.resolve("broker"), IN_VM, -1, 5);
        String flock = "trace-" + UUID.randomUUID();
        int[] ports = {Ports.free(), Ports.free()};
        http = new HttpTransport();
        hosts.add(Host.start(HostConfig.defaults().withName("h1").withWorkDir(dir.resolve("h1"))
                .withCageConfigDir(dir.resolve("configs")).withHttp(HostConfig.Http.ephemeral()).withTracing(tracing)
                .withTransport("flock", flock(flock, ports, 0)), List.of(http, new FlockTransport())));
        Path resources = dir.resolve("resources.json");
        Files.writeString(resources, """
                {"resources": {"events": {"kind": "jms", "brokerUrl": "vm://%d"}}}""".formatted(IN_VM));
        JmsTransport jms = new JmsTransport(new JmsTransportSettings(new JmsSettings("vm://" + IN_VM, null, null, 1, 1, 2_000),
                3, 100, List.of(new JmsTransportSettings.Binding("traced", "sink", "record", 1))));
        hosts.add(Host.start(HostConfig.defaults().withName("h2").withWorkDir(dir.resolve("h2"))
                .withCageConfigDir(dir.resolve("configs")).withResourcesFile(resources).withTracing(tracing)
                .withTransport("flock", flock(flock, ports, 1)), List.of(new FlockTransport(), jms)));
        hosts.get(0).admin().deploy(TestCages.build("front", "1.0.0", TracedCage.class), "test");
        hosts.get(1).admin().deploy(TestCages.build("middle", "1.0.0", TracedCage.class), "test");
        hosts.get(1).admin().deploy(TestCages.build("sink", "1.0.0", TracedCage.class), "test");
        Await.until("h1 sees middle on h2", Duration.ofSeconds(20), () -> h1SeesMiddle());
    }

    @AfterEach
    void stop() throws Exception {
        root().detachAppender(capture);
        hosts.forEach(Host::close);
        if (broker != null) {
            broker.close();
        }
        if (otlp != null) {
            otlp.close();
        }
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    private static ObjectNode flock(String name, int[] ports, int self) {
        ObjectNode section = JSON.createObjectNode().put("name", name).put("discovery", "static")
                .put("bind", "127.0.0.1").put("port", ports[self]).put("rpcPort", 0).put("publishMs", 100);
        section.withArray("hosts").add("127.0.0.1:" + ports[1 - self]);
        return section;
    }

    private boolean h1SeesMiddle() {
        for (FlockMember member : hosts.get(0).admin().flock()) {
            if (member.name().equals("h2") && member.cages().stream().anyMatch(c -> c.startsWith("middle@"))) {
                return true;
            }
        }
        return false;
    }

    private HttpResponse<String> go(String traceparent) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/front/go"))
                .timeout(Duration.ofSeconds(20)).GET();
        if (traceparent != null) {
            request.header("traceparent", traceparent).header("tracestate", "vendor=abc");
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @SuppressWarnings("unchecked")
    private static Queue<Map<String, String>> recorded() {
        Object queue = System.getProperties().get(TracedCage.RECORDED);
        return queue == null ? new ConcurrentLinkedQueue<>() : (Queue<Map<String, String>>) queue;
    }

    @Test
    void oneTraceFromHttpThroughRpcToJmsWithASpanPerHop() throws Exception {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        String clientSpan = "00f067aa0ba902b7";
        HttpResponse<String> response = go("00-" + traceId + "-" + clientSpan + "-01");
        assertEquals(200, response.statusCode(), response.body());

        var answered = TRACEPARENT.matcher(response.headers().firstValue("traceparent").orElse(""));
        assertTrue(answered.matches(), "the answer carries a traceparent: " + response.headers().map());
        assertEquals(traceId, answered.group(1));
        String frontSpan = answered.group(2);
        assertNotEquals(clientSpan, frontSpan, "the request is a span of its own");

        JsonNode front = JSON.readTree(response.body());
        assertEquals(traceId, front.path("trace.id").asText(), front.toString());
        assertEquals(frontSpan, front.path("trace.span").asText(), "the answer names the span that served it");
        assertEquals(clientSpan, front.path("trace.parent").asText(), "its parent is the client's span");
        assertEquals("vendor=abc", front.path("trace.state").asText(), "tracestate travels along");

        JsonNode middle = front.path("next");
        assertEquals(traceId, middle.path("trace.id").asText(), "the call over RPC keeps the trace: " + middle);
        String middleSpan = middle.path("trace.span").asText();
        String callSpan = middle.path("trace.parent").asText();
        assertTrue(callSpan.matches("[0-9a-f]{16}"), middle.toString());
        assertTrue(middleSpan.matches("[0-9a-f]{16}"), middle.toString());
        assertEquals(4, List.of(clientSpan, frontSpan, callSpan, middleSpan).stream().distinct().count(),
                "the call (client side) and the callee are spans of their own: " + middle);

        Await.until("the message reached sink", Duration.ofSeconds(20), () -> !recorded().isEmpty());
        Map<String, String> sink = recorded().peek();
        assertEquals(traceId, sink.get("trace.id"), "the JMS message keeps the trace: " + sink);
        assertEquals(middleSpan, sink.get("trace.parent"), "the request that sent it is its parent: " + sink);
        String sinkSpan = sink.get("trace.span");
        assertFalse(List.of(frontSpan, callSpan, middleSpan).contains(sinkSpan), sink.toString());

        for (String cage : List.of("cage.front", "cage.middle", "cage.sink")) {
            ILoggingEvent line = cageLines.stream().filter(e -> e.getLoggerName().equals(cage)).findFirst().orElse(null);
            assertNotNull(line, cage + " logged");
            assertEquals(traceId, line.getMDCPropertyMap().get("traceId"), cage + "'s line carries the trace id");
        }

        // Exported: front (server, h1), the call to middle (client, h1), middle (server, h2), sink (server, h2).
        Await.until("four spans of the trace exported", Duration.ofSeconds(20), () -> otlp.spansOf(traceId).size() >= 4);
        assertTrue(otlp.problems.isEmpty(), otlp.problems.toString());
        Map<String, OtlpReceiver.Span> byId = new java.util.HashMap<>();
        otlp.spansOf(traceId).forEach(span -> byId.put(span.spanId(), span));
        assertEquals(4, byId.size(), byId.toString());
        assertSpan(byId.get(frontSpan), "front/go", 2, clientSpan);
        assertSpan(byId.get(callSpan), "middle/relay", 3, frontSpan);
        assertSpan(byId.get(middleSpan), "middle/relay", 2, callSpan);
        assertSpan(byId.get(sinkSpan), "sink/record", 2, middleSpan);
        OtlpReceiver.Span served = byId.get(frontSpan);
        assertEquals(Map.of("cages.cage", "front", "cages.operation", "go", "cages.version", "1.0.0", "cages.transport", "http",
                "cages.outcome", "ok"), without(served.attributes(), "cages.caller"));
        assertEquals("front", byId.get(middleSpan).attributes().get("cages.caller"), "the calling cage");
        assertEquals("jms", byId.get(sinkSpan).attributes().get("cages.transport"));
        assertEquals("h2", byId.get(callSpan).attributes().get("cages.host"), "the client span names the host that answered");
        assertEquals("cages", served.serviceName());
        assertTrue(otlp.posts.get() >= 1);
    }

    private static void assertSpan(OtlpReceiver.Span span, String name, int kind, String parent) {
        assertNotNull(span, name + " exported");
        assertEquals(name, span.name());
        assertEquals(kind, span.kind(), name + ": 2 server, 3 client");
        assertEquals(parent, span.parentSpanId(), name + "'s parent");
    }

    private static Map<String, String> without(Map<String, String> map, String key) {
        Map<String, String> copy = new java.util.HashMap<>(map);
        copy.remove(key);
        return copy;
    }

    @Test
    void anInvalidTraceparentStartsANewTraceAndIsNoErrorToTheClient() throws Exception {
        for (String invalid : List.of("garbage", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01")) {
            HttpResponse<String> response = go(invalid);
            assertEquals(200, response.statusCode(), invalid + ": " + response.body());
            var answered = TRACEPARENT.matcher(response.headers().firstValue("traceparent").orElse(""));
            assertTrue(answered.matches(), invalid + ": " + response.headers().map());
            assertFalse(invalid.toLowerCase().contains(answered.group(1)), invalid + ": a new trace");
            JsonNode front = JSON.readTree(response.body());
            assertEquals(answered.group(1), front.path("trace.id").asText());
            assertTrue(front.path("trace.parent").isMissingNode(), "a new trace has no parent: " + front);
            assertNull(front.get("trace.state"), "the tracestate of an invalid traceparent is dropped");
            assertEquals(answered.group(1), front.path("next").path("trace.id").asText(), "and the new trace travels on");
        }
    }

    @Test
    void aRequestWithoutTraceparentStartsATrace() throws Exception {
        HttpResponse<String> first = go(null);
        HttpResponse<String> second = go(null);
        var a = TRACEPARENT.matcher(first.headers().firstValue("traceparent").orElse(""));
        var b = TRACEPARENT.matcher(second.headers().firstValue("traceparent").orElse(""));
        assertTrue(a.matches() && b.matches(), first.headers().map().toString());
        assertNotEquals(a.group(1), b.group(1), "each request its own trace");
        assertEquals(a.group(1), JSON.readTree(first.body()).path("next").path("trace.id").asText());
    }
}
