package io.cages.transport.http.internal;

import static io.cages.transport.http.internal.EmbeddedHttp.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.host.HostConfig;
import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.Reply;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** Connection-level behaviour of the cage listener: routing errors, limits, malformed input, keep-alive, order. */
class ProtocolTest {

    /** Small limits so tests can exceed them cheaply. */
    private static final HostConfig.Http SMALL = new HostConfig.Http("127.0.0.1", 0, "127.0.0.1", 0, 256, 512, 64, 60, 1);

    @Test
    void pathsOtherThanCageAndOperationAre404() {
        try (EmbeddedHttp http = new EmbeddedHttp()) {
            for (String target : List.of("/", "/hello", "/hello/", "//greet", "/hello/greet/", "/a/b/c", "/a/b/c?x=1", "http://host")) {
                http.send(request("GET", target, null, null));
                RawResponse response = http.response();
                assertEquals(404, response.status(), target);
                assertEquals("not_found", response.json().get("error").asText());
                assertTrue(response.json().get("message").asText().contains("/<cage>/<operation>"), response::toString);
                assertTrue(response.json().has("requestId"));
            }
            http.send(request("GET", "http://host:80/hello/greet?x=1", null, null));
            assertEquals(200, http.response().status(), "absolute-form targets work");
            assertEquals("greet", http.dispatcher.last().operation());
            assertTrue(http.channel.isOpen());
        }
    }

    @Test
    void reservedCageNamesAre404() {
        try (EmbeddedHttp http = new EmbeddedHttp()) {
            http.send(request("GET", "/_admin/deploy", null, null));
            RawResponse response = http.response();
            assertEquals(404, response.status());
            assertTrue(response.json().get("message").asText().contains("reserved"), response::toString);
            assertTrue(http.dispatcher.requests.isEmpty());
        }
    }

    @Test
    void otherMethodsAre405WithAllow() {
        try (EmbeddedHttp http = new EmbeddedHttp()) {
            for (String method : List.of("PATCH", "OPTIONS", "TRACE")) {
                http.send(request(method, "/a/b", null, null));
                RawResponse response = http.response();
                assertEquals(405, response.status(), method);
                assertEquals("GET, POST, PUT, DELETE", response.header("allow"));
            }
            // A HEAD response carries no body (the codec drops it), so look at the head only.
            http.send(request("HEAD", "/a/b", null, null));
            http.channel.runPendingTasks();
            io.netty.buffer.ByteBuf out = http.channel.readOutbound();
            try {
                assertTrue(out.toString(java.nio.charset.StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 405 "));
            } finally {
                out.release();
            }
            assertTrue(http.dispatcher.requests.isEmpty());
        }
    }

    @Test
    void aBodyOverTheLimitIs413AndCloses() {
        try (EmbeddedHttp http = new EmbeddedHttp(SMALL)) {
            http.send(request("POST", "/a/b", "text/plain", "x".repeat(65), "X-Request-Id", "big-1"));
            RawResponse response = http.response();
            assertEquals(413, response.status());
            assertEquals("too_large", response.json().get("error").asText());
            assertTrue(response.json().get("message").asText().contains("64 bytes"), response::toString);
            assertEquals("big-1", response.header("x-request-id"));
            assertEquals("close", response.header("connection"));
            assertFalse(http.channel.isOpen());
            assertTrue(http.dispatcher.requests.isEmpty());
        }
    }

    @Test
    void aChunkedBodyGrowingOverTheLimitIs413AndCloses() {
        try (EmbeddedHttp http = new EmbeddedHttp(SMALL)) {
            http.send("POST /a/b HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "28\r\n" + "x".repeat(40) + "\r\n");
            assertTrue(http.responses().isEmpty());
            http.send("28\r\n" + "x".repeat(40) + "\r\n");
            RawResponse response = http.response();
            assertEquals(413, response.status());
            assertFalse(http.channel.isOpen());
        }
    }

    @Test
    void aBodyAtTheLimitIsTaken() {
        try (EmbeddedHttp http = new EmbeddedHttp(SMALL)) {
            http.send(request("POST", "/a/b", "text/plain", "x".repeat(64)));
            assertEquals(200, http.response().status());
            assertEquals(64, http.dispatcher.last().body().length);
        }
    }

    @Test
    void expectContinueGets100ThenTheResponse() {
        try (EmbeddedHttp http = new EmbeddedHttp(SMALL)) {
            http.send("POST /a/b HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n");
            RawResponse interim = http.response();
            assertEquals(100, interim.status());
            http.send("hello");
            assertEquals(200, http.response().status());
            assertEquals("hello", new String(http.dispatcher.last().body()));
            assertTrue(http.channel.isOpen());
        }
    }

    @Test
    void expectContinueOverTheLimitIs413WithoutReadingTheBody() {
        try (EmbeddedHttp http = new EmbeddedHttp(SMALL)) {
            http.send("POST /a/b HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 1000\r\n\r\n");
            RawResponse response = http.response();
            assertEquals(413, response.status());
            assertEquals("too_large", response.json().get("error").asText());
            assertFalse(http.channel.isOpen());
        }
    }

    @Test
    void aMalformedRequestIs400AndCloses() {
        try (EmbeddedHttp http = new EmbeddedHttp()) {
            http.send("GET /a/b HTTX/1.1\r\nHost: t\r\n\r\n");
            RawResponse response = http.response();
            assertEquals(400, response.status());
            assertEquals("bad_request", response.json().get("error").asText());
            assertTrue(response.json().get("message").asText().startsWith("malformed HTTP request"), response::toString);
            assertTrue(response.json().has("requestId"));
            assertEquals("close", response.header("connection"));
            assertFalse(http.channel.isOpen());
        }
    }

    @Test
    void aVersionOtherThanHttp1Is505NamingItAndCloses() {
        for (String version : List.of("HTTP/9.9", "HTTP/2.0", "HTTP/0.9", "HTTP/3.0")) {
            try (EmbeddedHttp http = new EmbeddedHttp()) {
                http.send("GET /hello/greet " + version + "\r\nHost: t\r\nX-Request-Id: v-1\r\n\r\n");
                RawResponse response = http.response();
                assertEquals(505, response.status(), version);
                assertEquals("http_version_not_supported", response.json().get("error").asText());
                assertTrue(response.json().get("message").asText().contains("'" + version + "'"), response::toString);
                assertEquals("v-1", response.json().get("requestId").asText());
                assertEquals("close", response.header("connection"));
                assertFalse(http.channel.isOpen(), version);
                assertTrue(http.dispatcher.requests.isEmpty(), "a " + version + " request never reaches a cage");
            }
        }
    }

    @Test
    void aHigherHttp1MinorVersionIsServedAsHttp11() {
        try (EmbeddedHttp http = new EmbeddedHttp()) {
            http.send("GET /hello/greet HTTP/1.2\r\nHost: t\r\n\r\n");
            RawResponse response = http.response();
            assertEquals(200, response.status(), response::toString);
            assertTrue(response.statusLine().startsWith("HTTP/1.1 "), response.statusLine());
            assertTrue(http.channel.isOpen());
        }
    }

    @Test
    void a505QueuesBehindEarlierPipelinedAnswers() {
        try (EmbeddedHttp http = new EmbeddedHttp()) {
            CompletableFuture<Reply> first = new CompletableFuture<>();
            http.dispatcher.behaviour = in -> first;
            http.send(request("GET", "/a/first", null, null) + "GET /a/second HTTP/9.9\r\nHost: t\r\n\r\n");
            assertTrue(http.responses().isEmpty(), "the refusal may not overtake the first answer");
            first.complete(FakeDispatcher.json("1"));
            List<RawResponse> responses = http.responses();
            assertEquals(List.of(200, 505), responses.stream().map(RawResponse::status).toList());
            assertEquals(1, http.dispatcher.requests.size());
            assertFalse(http.channel.isOpen());
        }
    }

    @Test
    void aBadHeaderLineIs400() {
        try (EmbeddedHttp http = new EmbeddedHttp()) {
            http.send("GET /a/b HTTP/1.1\r\nHost: t\r\nBad Header: x\r\n\r\n");
            assertEquals(400, http.response().status());
            assertFalse(http.channel.isOpen());
        }
    }

    @Test
    void aTooLongRequestLineIs414() {
        try (EmbeddedHttp http = new EmbeddedHttp(SMALL)) {
            http.send("GET /a/" + "b".repeat(300) + " HTTP/1.1\r\nHost: t\r\n\r\n");
            RawResponse response = http.response();
            assertEquals(414, response.status());
            assertEquals("uri_too_long", response.json().get("error").asText());
            assertFalse(http.channel.isOpen());
        }
    }

    @Test
    void tooLargeHeadersAre431() {
        try (EmbeddedHttp http = new EmbeddedHttp(SMALL)) {
            http.send("GET /a/b HTTP/1.1\r\nHost: t\r\nX-Big: " + "v".repeat(600) + "\r\n\r\n");
            RawResponse response = http.response();
            assertEquals(431, response.status());
            assertEquals("headers_too_large", response.json().get("error").asText());
            assertFalse(http.channel.isOpen());
        }
    }

    @Test
    void pipelinedResponsesLeaveInRequestOrder() {
        try (EmbeddedHttp http = new EmbeddedHttp()) {
            Map<String, CompletableFuture<Reply>> pending = new ConcurrentHashMap<>();
            http.dispatcher.behaviour = in -> pending.computeIfAbsent(in.operation(), op -> new CompletableFuture<>());
            http.send(request("GET", "/a/first", null, null) + request("GET", "/a/second", null, null) + request("GET", "/a/third", null, null));
            assertEquals(List.of("first", "second", "third"), http.dispatcher.requests.stream().map(InboundRequest::operation).toList(),
                    "pipelined requests are dispatched at once, not one after the other");
            pending.get("third").complete(FakeDispatcher.json("3"));
            pending.get("second").complete(FakeDispatcher.json("2"));
            assertTrue(http.responses().isEmpty(), "nothing may overtake the first response");
            pending.get("first").complete(FakeDispatcher.json("1"));
            List<RawResponse> responses = http.responses();
            assertEquals(List.of("1", "2", "3"), responses.stream().map(RawResponse::text).toList());
            assertTrue(http.channel.isOpen());
        }
    }

    @Test
    void connectionCloseIsHonouredAndLaterRequestsAreIgnored() {
        try (EmbeddedHttp http = new EmbeddedHttp()) {
            http.send(request("GET", "/a/one", null, null, "Connection", "close") + request("GET", "/a/two", null, null));
            RawResponse response = http.response();
            assertEquals(200, response.status());
            assertEquals("close", response.header("connection"));
            assertFalse(http.channel.isOpen());
            assertEquals(1, http.dispatcher.requests.size());
        }
    }

    @Test
    void http10KeepsAliveOnlyWhenAsked() {
        try (EmbeddedHttp http = new EmbeddedHttp()) {
            http.send("GET /a/b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            RawResponse kept = http.response();
            assertEquals("keep-alive", kept.header("connection"));
            assertTrue(http.channel.isOpen());
            http.send("GET /a/b HTTP/1.0\r\n\r\n");
            RawResponse closed = http.response();
            assertEquals("close", closed.header("connection"));
            assertFalse(http.channel.isOpen());
        }
    }

    @Test
    void whileDrainingConnectionsCloseAfterTheirLastAnswer() {
        try (EmbeddedHttp http = new EmbeddedHttp(HostConfig.Http.ephemeral(), () -> true)) {
            CompletableFuture<Reply> first = new CompletableFuture<>();
            http.dispatcher.behaviour = in -> in.operation().equals("one") ? first : CompletableFuture.completedFuture(FakeDispatcher.json("2"));
            http.send(request("GET", "/a/one", null, null) + request("GET", "/a/two", null, null));
            first.complete(FakeDispatcher.json("1"));
            List<RawResponse> responses = http.responses();
            assertEquals(2, responses.size());
            assertTrue(responses.get(0).header("connection") == null, "the first of two queued answers keeps the connection");
            assertEquals("close", responses.get(1).header("connection"));
            assertFalse(http.channel.isOpen());
        }
    }

    @Test
    void aResponseCompletingAfterTheClientLeftIsDropped() {
        try (EmbeddedHttp http = new EmbeddedHttp()) {
            CompletableFuture<Reply> pending = new CompletableFuture<>();
            http.dispatcher.behaviour = in -> pending;
            http.send(request("GET", "/a/b", null, null));
            http.channel.close();
            pending.complete(FakeDispatcher.json("{}"));
            assertTrue(http.responses().isEmpty());
        }
    }
}
