package io.cages.transport.http.internal;

import static io.cages.transport.http.internal.EmbeddedHttp.request;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.host.spi.InboundRequest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How the cage listener turns HTTP requests into InboundRequests: target, params, body, attributes, id, deadline. */
class RequestParsingTest {

    private final EmbeddedHttp http = new EmbeddedHttp();

    @AfterEach
    void close() {
        http.close();
    }

    private InboundRequest dispatched(String raw) {
        http.send(raw);
        RawResponse response = http.response();
        assertEquals(200, response.status(), response::toString);
        return http.dispatcher.last();
    }

    @Test
    void queryParametersAreStringsAndRepeatedNamesAreLists() {
        InboundRequest in = dispatched(request("GET", "/hello/greet?name=Ann%20Lee&tag=a&tag=b&tag=c&empty=&plus=a+b", null, null));
        assertEquals("hello", in.cage());
        assertEquals("greet", in.operation());
        assertEquals("Ann Lee", in.params().get("name"));
        assertEquals(List.of("a", "b", "c"), in.params().get("tag"));
        assertEquals("", in.params().get("empty"));
        assertEquals("a b", in.params().get("plus"));
        assertEquals(0, in.body().length);
        assertNull(in.contentType());
    }

    @Test
    void pathSegmentsArePercentDecodedButPlusStaysPlus() {
        InboundRequest in = dispatched(request("POST", "/hello/say%20hi+there", null, null));
        assertEquals("say hi+there", in.operation());
    }

    @Test
    void jsonObjectBodyKeepsJsonTypesAndWinsOverTheQuery() {
        String body = "{\"n\":1,\"f\":1.5,\"b\":true,\"nil\":null,\"list\":[1,\"x\"],\"obj\":{\"k\":\"v\"}}";
        InboundRequest in = dispatched(request("POST", "/hello/greet?n=query&q=1", "application/json; charset=utf-8", body));
        Map<String, Object> params = in.params();
        assertEquals(1, params.get("n"));
        assertEquals(1.5, params.get("f"));
        assertEquals(true, params.get("b"));
        assertTrue(params.containsKey("nil"));
        assertNull(params.get("nil"));
        assertEquals(List.of(1, "x"), params.get("list"));
        assertEquals(Map.of("k", "v"), params.get("obj"));
        assertEquals("1", params.get("q"));
        assertEquals(0, in.body().length, "a parsed JSON body is not also passed as bytes");
    }

    @Test
    void plusJsonMediaTypesAreJsonAndAnEmptyJsonBodyIsNoParameters() {
        InboundRequest in = dispatched(request("POST", "/a/b", "application/vnd.cages+json", "{\"x\":\"y\"}"));
        assertEquals("y", in.params().get("x"));
        InboundRequest empty = dispatched(request("POST", "/a/b", "application/json", "  "));
        assertEquals(Map.of(), empty.params());
    }

    @Test
    void nonObjectJsonIsRefusedNamingTheProblem() {
        http.send(request("POST", "/hello/greet", "application/json", "[1,2]"));
        RawResponse response = http.response();
        assertEquals(400, response.status());
        assertEquals("bad_request", response.json().get("error").asText());
        assertTrue(response.json().get("message").asText().contains("must be an object"), response::toString);
        assertTrue(response.json().get("message").asText().contains("an array"), response::toString);
        assertTrue(http.dispatcher.requests.isEmpty());
    }

    @Test
    void malformedJsonIsRefusedWithWhereItBroke() {
        http.send(request("POST", "/hello/greet", "application/json", "{\"name\": nope}"));
        RawResponse response = http.response();
        assertEquals(400, response.status());
        String message = response.json().get("message").asText();
        assertTrue(message.startsWith("malformed JSON body"), message);
        assertTrue(message.contains("line 1"), message);
        assertNotNull(response.json().get("requestId"));
        http.send(request("POST", "/hello/greet", "application/json", "{\"a\":1} {\"b\":2}"));
        assertEquals(400, http.response().status());
        assertTrue(http.dispatcher.requests.isEmpty());
    }

    @Test
    void formBodyFieldsJoinTheQueryParameters() {
        InboundRequest in = dispatched(request("POST", "/a/b?x=0", "application/x-www-form-urlencoded", "name=A+B&x=1&x=2&city=K%C3%B8benhavn"));
        assertEquals("A B", in.params().get("name"));
        assertEquals(List.of("0", "1", "2"), in.params().get("x"));
        assertEquals("København", in.params().get("city"));
        assertEquals(0, in.body().length);
    }

    @Test
    void multipartFieldsAreParametersAndTheSingleFileIsTheBody() {
        String body = """
                --XyZ\r
                Content-Disposition: form-data; name="title"\r
                \r
                Report\r
                --XyZ\r
                Content-Disposition: form-data; name="tag"\r
                \r
                one\r
                --XyZ\r
                Content-Disposition: form-data; name="tag"\r
                \r
                two\r
                --XyZ\r
                Content-Disposition: form-data; name="doc"; filename="r.csv"\r
                Content-Type: text/csv\r
                \r
                a,b\r
                1,2\r
                --XyZ--\r
                """;
        InboundRequest in = dispatched(request("POST", "/files/upload", "multipart/form-data; boundary=XyZ", body));
        assertEquals("Report", in.params().get("title"));
        assertEquals(List.of("one", "two"), in.params().get("tag"));
        assertEquals("r.csv", in.params().get("doc.filename"));
        assertEquals("text/csv", in.params().get("doc.contentType"));
        assertEquals("a,b\r\n1,2", new String(in.body(), StandardCharsets.UTF_8));
        assertEquals("text/csv", in.contentType());
    }

    @Test
    void multipartWithTwoFilesIsRefused() {
        String body = """
                --B\r
                Content-Disposition: form-data; name="a"; filename="a.txt"\r
                Content-Type: text/plain\r
                \r
                A\r
                --B\r
                Content-Disposition: form-data; name="b"; filename="b.txt"\r
                Content-Type: text/plain\r
                \r
                B\r
                --B--\r
                """;
        http.send(request("POST", "/files/upload", "multipart/form-data; boundary=B", body));
        RawResponse response = http.response();
        assertEquals(400, response.status());
        assertTrue(response.json().get("message").asText().contains("at most one file"), response::toString);
    }

    /** Every cut of a form with a field and a file, short of its closing boundary line, is refused. */
    @Test
    void aTruncatedMultipartBodyIsRefusedNeverHandedOverAsWhole() {
        String whole = """
                --Cut\r
                Content-Disposition: form-data; name="title"\r
                \r
                Report\r
                --Cut\r
                Content-Disposition: form-data; name="doc"; filename="r.csv"\r
                Content-Type: text/csv\r
                \r
                a,b\r
                1,2\r
                --Cut--\r
                """;
        int close = whole.indexOf("--Cut--");
        List<Integer> cuts = List.of(whole.indexOf("Report") + 3, whole.indexOf("\r\n--Cut\r\nContent-Disposition: form-data; name=\"doc\""),
                whole.indexOf("a,b") + 5, close - 2, close, close + 2, close + 5, close + 6);
        for (int cut : cuts) {
            String truncated = whole.substring(0, cut);
            http.send(request("POST", "/files/upload", "multipart/form-data; boundary=Cut", truncated));
            RawResponse response = http.response();
            assertEquals(400, response.status(), () -> "cut at " + cut + ": " + response);
            assertEquals("bad_request", response.json().get("error").asText());
            assertEquals("truncated multipart body: it ends without its closing boundary line '--Cut--'",
                    response.json().get("message").asText());
            assertTrue(http.channel.isOpen(), "a refused body is well framed: the connection stays usable");
        }
        assertTrue(http.dispatcher.requests.isEmpty(), "no truncated form reached a cage");

        InboundRequest in = dispatched(request("POST", "/files/upload", "multipart/form-data; boundary=Cut", whole));
        assertEquals("Report", in.params().get("title"));
        assertEquals("a,b\r\n1,2", new String(in.body(), StandardCharsets.UTF_8));
    }

    @Test
    void aClosedMultipartBodyIsTakenWithOrWithoutEpilogueOrFinalLineBreak() {
        String parts = "--E\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nA\r\n";
        for (String body : List.of(parts + "--E--", parts + "--E--\r\n", parts + "--E--\r\nan epilogue, ignored\r\n",
                parts.replace("\r\n", "\n") + "--E--\n")) {
            InboundRequest in = dispatched(request("POST", "/files/upload", "multipart/form-data; boundary=E", body));
            assertEquals(Map.of("a", "A"), in.params(), body);
        }
        // The closing boundary counts only at the start of a line, as in the decoder.
        http.send(request("POST", "/files/upload", "multipart/form-data; boundary=E", parts.replace("A\r\n", "A--E--\r\n")));
        assertEquals(400, http.response().status());
    }

    /** Inputs RequestParamsFuzzTest found making Netty's multipart parser throw unchecked: each a 400, not a 500. */
    @Test
    void multipartThatNettysParserChokesOnIsABadRequest() {
        String field = "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b--\r\n";
        Map<String, String> refusals = Map.of(
                "multipart/form-data; boundaryb", "malformed multipart Content-Type",
                "multipart/form-data; boundary=; charset=utf-8", "malformed multipart Content-Type",
                "multipart/form-data; boundary=b", "malformed multipart body: a part header could not be parsed");
        refusals.forEach((contentType, message) -> {
            String body = contentType.endsWith("boundary=b") ? field.replace("name=\"a\"", "nat\"") : field;
            http.send(request("POST", "/files/upload", contentType, body));
            RawResponse response = http.response();
            assertEquals(400, response.status(), () -> contentType + ": " + response);
            assertTrue(response.json().get("message").asText().startsWith(message), () -> contentType + ": " + response);
            assertTrue(http.channel.isOpen(), "the connection stays usable");
        });
        assertTrue(http.dispatcher.requests.isEmpty(), "nothing reached a cage");
    }

    @Test
    void multipartWithoutBoundaryIsRefused() {
        http.send(request("POST", "/files/upload", "multipart/form-data", "whatever"));
        RawResponse response = http.response();
        assertEquals(400, response.status());
        assertTrue(response.json().get("message").asText().startsWith("malformed multipart body"), response::toString);
    }

    @Test
    void otherBodiesArePassedAsRawBytesWithTheirContentType() {
        byte[] bytes = {0, 1, 2, (byte) 0xff, 'x'};
        String raw = "PUT /store/blob HTTP/1.1\r\nHost: t\r\nContent-Type: application/octet-stream\r\nContent-Length: 5\r\n\r\n";
        byte[] head = raw.getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = Arrays.copyOf(head, head.length + bytes.length);
        System.arraycopy(bytes, 0, all, head.length, bytes.length);
        http.send(all);
        assertEquals(200, http.response().status());
        InboundRequest in = http.dispatcher.last();
        assertArrayEquals(bytes, in.body());
        assertEquals("application/octet-stream", in.contentType());
        assertEquals(Map.of(), in.params());

        InboundRequest text = dispatched(request("POST", "/a/b", "text/plain; charset=utf-8", "hi"));
        assertEquals("hi", new String(text.body(), StandardCharsets.UTF_8));
        assertEquals("text/plain; charset=utf-8", text.contentType());
    }

    @Test
    void attributesCarryMethodPathPeerAndLowerCasedHeaders() {
        InboundRequest in = dispatched(request("DELETE", "/hello/item?x=1", null, null, "X-Custom-Thing", "Value 1", "Accept", "a/b", "Accept", "c/d"));
        Map<String, String> attributes = in.attributes();
        assertEquals("DELETE", attributes.get("http.method"));
        assertEquals("/hello/item", attributes.get("http.path"));
        assertNotNull(attributes.get("remote.address"));
        assertEquals("Value 1", attributes.get("header.x-custom-thing"));
        assertEquals("a/b, c/d", attributes.get("header.accept"));
        assertEquals("test", attributes.get("header.host"));
        assertTrue(in.caller().startsWith("http:"), in.caller());
    }

    @Test
    void aSaneClientRequestIdIsKeptOthersAreReplaced() {
        http.send(request("GET", "/a/b", null, null, "X-Request-Id", "client-42.A_b"));
        RawResponse kept = http.response();
        assertEquals("client-42.A_b", http.dispatcher.last().id());
        assertEquals("client-42.A_b", kept.header("x-request-id"));

        http.send(request("GET", "/a/b", null, null, "X-Request-Id", "bad id!"));
        RawResponse replaced = http.response();
        assertTrue(http.dispatcher.last().id().startsWith("gen-"), http.dispatcher.last().id());
        assertEquals(http.dispatcher.last().id(), replaced.header("x-request-id"));

        http.send(request("GET", "/a/b", null, null, "X-Request-Id", "x".repeat(65)));
        http.response();
        assertTrue(http.dispatcher.last().id().startsWith("gen-"));
    }

    @Test
    void timeoutHeaderBecomesTheDeadline() {
        InboundRequest in = dispatched(request("GET", "/a/b", null, null, "X-Cage-Timeout-Ms", "250"));
        assertNotNull(in.deadline());
        long left = in.deadline().remainingMillis();
        assertTrue(left <= 250 && left > 0, "remaining " + left);
        InboundRequest none = dispatched(request("GET", "/a/b", null, null));
        assertNull(none.deadline(), "no header: the host applies the cage's own timeout");
    }

    @Test
    void invalidTimeoutHeadersAreRefused() {
        for (String bad : List.of("abc", "0", "-5", "1.5", "99999999999999999999")) {
            http.send(request("GET", "/a/b", null, null, "X-Cage-Timeout-Ms", bad));
            RawResponse response = http.response();
            assertEquals(400, response.status(), bad);
            assertTrue(response.json().get("message").asText().contains("X-Cage-Timeout-Ms"), response::toString);
        }
        assertTrue(http.dispatcher.requests.isEmpty());
    }
}
