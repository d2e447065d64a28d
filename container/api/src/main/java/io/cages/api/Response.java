package io.cages.api;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a handler answers. Either a value, which the transport encodes (HTTP: as JSON), raw bytes with a
 * media type, or a stream of bytes written after the handler returned ({@link #stream}). Attributes are hints
 * for transports (HTTP sends {@code header.<name>} attributes as headers). Immutable.
 */
public final class Response {

    private static final byte[] NO_BYTES = new byte[0];
    private static final Response EMPTY = new Response(null, NO_BYTES, null, null, Map.of());

    private final Object value;
    private final byte[] body;
    private final BodyWriter writer;
    private final String contentType;
    private final Map<String, String> attributes;

    private Response(Object value, byte[] body, BodyWriter writer, String contentType, Map<String, String> attributes) {
        this.value = value;
        this.body = body;
        this.writer = writer;
        this.contentType = contentType;
        this.attributes = attributes;
    }

    /**
     * A value to be encoded by the transport: a map, list, string, number, boolean, record or bean.
     */
    public static Response of(Object value) {
        return new Response(Objects.requireNonNull(value, "value"), null, null, null, Map.of());
    }

    /** Raw bytes with their media type, sent as they are. */
    public static Response bytes(byte[] body, String contentType) {
        return new Response(null, Objects.requireNonNull(body, "body"), null, Objects.requireNonNull(contentType, "contentType"), Map.of());
    }

    /**
     * A body produced by {@code writer} as it is sent, for answers too large to build in memory. The host runs
     * the writer on the request's own thread after {@code handle} returns (see {@link BodyWriter}).
     *
     * <p>HTTP sends it as it is written ({@code Transfer-Encoding: chunked}), at the pace the client reads.
     * Transports that carry whole messages (RPC, JMS, calls by name, jobs) collect it into bytes up to their
     * own size limit (RPC: its frame limit) and answer an error past it that says to call over HTTP.
     */
    public static Response stream(String contentType, BodyWriter writer) {
        return new Response(null, null, Objects.requireNonNull(writer, "writer"), Objects.requireNonNull(contentType, "contentType"), Map.of());
    }

    /** Plain UTF-8 text. */
    public static Response text(String text) {
        return bytes(text.getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8");
    }

    /** No content. */
    public static Response empty() {
        return EMPTY;
    }

    /** A copy of this response with one more attribute. */
    public Response withAttribute(String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(attributes);
        copy.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return new Response(this.value, body, writer, contentType, Map.copyOf(copy));
    }

    /** The value to encode, or {@code null} when this response carries bytes or nothing. */
    public Object value() {
        return value;
    }

    /** The raw body, or {@code null} when this response carries a value or a stream. Not copied. */
    public byte[] body() {
        return body;
    }

    /** The writer of a streamed body ({@link #stream}), or {@code null}. */
    public BodyWriter writer() {
        return writer;
    }

    /** True when the body is streamed by {@link #writer()}. */
    public boolean isStream() {
        return writer != null;
    }

    /** Media type of {@link #body()} or of the stream, or {@code null}. */
    public String contentType() {
        return contentType;
    }

    public Map<String, String> attributes() {
        return attributes;
    }

    public boolean isEmpty() {
        return value == null && writer == null && (body == null || body.length == 0);
    }
}
