package io.cages.transport.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * A small blocking HTTP/1.1 client for tests of the HTTP transport (and of cages behind it), over
 * {@link java.net.http.HttpClient}. Every call has a timeout, so a hung server fails the test instead of
 * hanging it.
 *
 * <pre>{@code
 * try (HttpTestClient http = HttpTestClient.local(transport.port())) {
 *     HttpTestClient.Response r = http.postJson("/hello/greet", "{\"name\":\"Ann\"}");
 *     assertEquals(200, r.status());
 *     assertEquals("Hello, Ann", r.json().get("greeting").asText());
 * }
 * }</pre>
 *
 * Headers are given as name/value pairs: {@code http.get("/a/b", "X-Request-Id", "t-1")}. The JDK client
 * refuses to set a few headers itself ({@code Connection}, {@code Content-Length}, {@code Expect},
 * {@code Host}, {@code Upgrade}); use a raw socket for those.
 */
public final class HttpTestClient implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final Duration timeout;
    private final HttpClient client;

    public HttpTestClient(String base, Duration timeout) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.timeout = timeout;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .build();
    }

    /** A client for {@code http://127.0.0.1:<port>} with a 10 s timeout per call. */
    public static HttpTestClient local(int port) {
        return new HttpTestClient("http://127.0.0.1:" + port, Duration.ofSeconds(10));
    }

    public Response get(String path, String... headers) {
        return send("GET", path, null, null, headers);
    }

    public Response delete(String path, String... headers) {
        return send("DELETE", path, null, null, headers);
    }

    public Response post(String path, byte[] body, String contentType, String... headers) {
        return send("POST", path, body, contentType, headers);
    }

    public Response postJson(String path, String json, String... headers) {
        return send("POST", path, json.getBytes(StandardCharsets.UTF_8), "application/json", headers);
    }

    /** Any method; {@code body} may be null (no body), {@code contentType} may be null (no header). */
    public Response send(String method, String path, byte[] body, String contentType, String... headers) {
        if (headers.length % 2 != 0) {
            throw new IllegalArgumentException("headers come as name/value pairs");
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(timeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Response(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(method + " " + path + " interrupted", e);
        }
    }

    @Override
    public void close() {
        client.close();
    }

    /** Status, headers and body of one response. */
    public record Response(int status, HttpHeaders headers, byte[] body) {

        /** The first value of a header (names are case-insensitive). */
        public Optional<String> header(String name) {
            return headers.firstValue(name);
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** The body parsed as JSON; fails the caller with the body text when it is not JSON. */
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("not a JSON body (status " + status + "): " + text(), e);
            }
        }

        @Override
        public String toString() {
            return status + " " + text();
        }
    }
}
