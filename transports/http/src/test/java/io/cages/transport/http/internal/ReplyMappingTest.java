package io.cages.transport.http.internal;

import static io.cages.transport.http.internal.EmbeddedHttp.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.api.CageException;
import io.cages.api.ErrorCode;
import io.cages.host.spi.Reply;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How replies and failures of the dispatcher become HTTP responses. */
class ReplyMappingTest {

    private final EmbeddedHttp http = new EmbeddedHttp();

    @AfterEach
    void close() {
        http.close();
    }

    private RawResponse answer(Reply reply) {
        http.dispatcher.behaviour = in -> CompletableFuture.completedFuture(reply);
        http.send(request("GET", "/a/b", null, null));
        return http.response();
    }

    private RawResponse fail(Throwable failure) {
        http.dispatcher.behaviour = in -> CompletableFuture.failedFuture(failure);
        http.send(request("GET", "/a/b", null, null, "X-Request-Id", "r-1"));
        return http.response();
    }

    @Test
    void aValueIsJsonWithVersionAndRequestId() {
        RawResponse response = answer(FakeDispatcher.json("{\"greeting\":\"hi\",\"n\":[1,2]}"));
        assertEquals(200, response.status());
        assertEquals("application/json", response.header("content-type"));
        assertEquals("{\"greeting\":\"hi\",\"n\":[1,2]}", response.text());
        assertEquals("1.2.3", response.header("x-cage-version"));
        assertTrue(response.header("x-request-id").startsWith("gen-"));
        assertTrue(response.header("date").endsWith("GMT"), response.header("date"));
        assertNull(response.header("connection"), "HTTP/1.1 keep-alive needs no header");
    }

    @Test
    void bytesKeepTheirContentType() {
        byte[] csv = "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8);
        RawResponse response = answer(new Reply(null, csv, "text/csv", Map.of(), "2.0.0"));
        assertEquals(200, response.status());
        assertEquals("text/csv", response.header("content-type"));
        assertEquals("a,b\n1,2\n", response.text());
        assertEquals("2.0.0", response.header("x-cage-version"));
        RawResponse untyped = answer(new Reply(null, csv, null, Map.of(), "2.0.0"));
        assertEquals("application/octet-stream", untyped.header("content-type"));
    }

    @Test
    void nothingIs204() {
        RawResponse response = answer(new Reply(null, new byte[0], null, Map.of(), "1.0.0"));
        assertEquals(204, response.status());
        assertNull(response.header("content-length"));
        assertEquals("1.0.0", response.header("x-cage-version"));
    }

    @Test
    void headerAttributesBecomeHeadersButCannotBreakFraming() {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("header.Cache-Control", "no-store");
        attributes.put("header.x-trace", "t1");
        attributes.put("header.content-length", "999");
        attributes.put("header.connection", "close");
        attributes.put("header.x-request-id", "forged");
        attributes.put("header.x-evil", "a\r\nSet-Cookie: x=1");
        attributes.put("header.bad name", "v");
        attributes.put("not-a-header", "ignored");
        RawResponse response = answer(FakeDispatcher.json("{}", attributes));
        assertEquals(200, response.status());
        assertEquals("no-store", response.header("cache-control"));
        assertEquals("t1", response.header("x-trace"));
        assertEquals("2", response.header("content-length"));
        assertNull(response.header("connection"));
        assertTrue(response.header("x-request-id").startsWith("gen-"));
        assertNull(response.header("x-evil"));
        assertNull(response.header("set-cookie"));
        assertNull(response.header("not-a-header"));
        assertTrue(http.channel.isOpen());
    }

    /** The status of every error code, written out: the mapping is the transport's contract with clients. */
    private static final Map<ErrorCode, Integer> STATUSES = Map.of(
            ErrorCode.BAD_REQUEST, 400,
            ErrorCode.NOT_FOUND, 404,
            ErrorCode.UNAVAILABLE, 503,
            ErrorCode.DEADLINE_EXCEEDED, 504,
            ErrorCode.INTERNAL, 500,
            ErrorCode.FORBIDDEN, 403);

    @Test
    void everyErrorCodeHasAStatus() {
        assertEquals(EnumSet.allOf(ErrorCode.class), EnumSet.copyOf(STATUSES.keySet()), "a code without an expected status here");
        for (ErrorCode code : ErrorCode.values()) {
            assertEquals((int) STATUSES.get(code), ReplyEncoder.status(code).code(), code::name);
        }
    }

    @Test
    void cageExceptionsMapToTheirStatusAndName() {
        for (ErrorCode code : ErrorCode.values()) {
            RawResponse response = fail(new CageException(code, "because " + code));
            assertEquals((int) STATUSES.get(code), response.status(), code::name);
            assertEquals("application/json", response.header("content-type"));
            assertEquals(code.name().toLowerCase(), response.json().get("error").asText());
            assertEquals("because " + code, response.json().get("message").asText());
            assertEquals("r-1", response.json().get("requestId").asText());
            assertEquals("r-1", response.header("x-request-id"));
            assertEquals(code == ErrorCode.UNAVAILABLE ? "1" : null, response.header("retry-after"), code::name);
        }
    }

    @Test
    void wrappedCageExceptionsAreUnwrapped() {
        RawResponse response = fail(new CompletionException(CageException.deadlineExceeded("too slow")));
        assertEquals(504, response.status());
        assertEquals("deadline_exceeded", response.json().get("error").asText());
        assertEquals("too slow", response.json().get("message").asText());
    }

    @Test
    void anyOtherFailureIsAGeneric500WithoutDetails() {
        RawResponse response = fail(new IllegalStateException("secret internals at com.example.Foo"));
        assertEquals(500, response.status());
        assertEquals("internal", response.json().get("error").asText());
        assertFalse(response.text().contains("secret"), response.text());
        assertFalse(response.text().contains("IllegalStateException"), response.text());
        assertEquals("r-1", response.json().get("requestId").asText());
    }

    @Test
    void aDispatcherThatThrowsStillAnswers500() {
        http.dispatcher.behaviour = in -> {
            throw new IllegalStateException("boom");
        };
        http.send(request("GET", "/a/b", null, null));
        RawResponse response = http.response();
        assertEquals(500, response.status());
        assertFalse(response.text().contains("boom"));
    }

    @Test
    void aLaterCompletionIsWrittenWhenItArrives() {
        CompletableFuture<Reply> pending = new CompletableFuture<>();
        http.dispatcher.behaviour = in -> pending;
        http.send(request("GET", "/a/b", null, null));
        assertTrue(http.responses().isEmpty());
        pending.complete(FakeDispatcher.json("{\"late\":true}"));
        RawResponse response = http.response();
        assertEquals(200, response.status());
        assertEquals("{\"late\":true}", response.text());
    }
}
