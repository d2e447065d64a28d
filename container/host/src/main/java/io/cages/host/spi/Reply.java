package io.cages.host.spi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cages.api.CageException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A handler's response as transports see it: a value, raw bytes, a stream of bytes ({@link #stream()}), or
 * nothing.
 *
 * <p>A value a cage returned stays as it was until a transport asks for it, and is then converted by the
 * mapper of the cage version that produced it: to JSON bytes in one pass for HTTP ({@link #valueAsJson}), or
 * to a tree for RPC and local calls ({@link #value()}). Transports never hand cage classes to a mapper of
 * their own, whose caches would pin an old version's class loader after a swap. A reply lives for one
 * request only.
 *
 * <p>A streamed reply must be opened or collected by the transport that got it (see {@link ReplyStream}):
 * its producer holds the request in flight until then, at most until the request's deadline.
 */
public final class Reply {

    private final Object raw;
    private final ObjectMapper cageMapper;
    private volatile JsonNode tree;
    private final byte[] body;
    private final ReplyStream stream;
    private final String contentType;
    private final Map<String, String> attributes;
    private final String version;

    /**
     * A reply with a value tree (or none), e.g. one that came over the wire.
     *
     * @param value       the value as a tree, or null when the reply carries bytes or nothing
     * @param body        raw bytes, or null when the reply carries a value
     * @param contentType media type of {@code body}, or null
     * @param attributes  response attributes (HTTP sends {@code header.<name>} ones as headers)
     * @param version     version of the cage that answered
     */
    public Reply(JsonNode value, byte[] body, String contentType, Map<String, String> attributes, String version) {
        this(null, null, value, body, null, contentType, attributes, version);
    }

    private Reply(Object raw, ObjectMapper cageMapper, JsonNode tree, byte[] body, ReplyStream stream, String contentType,
                  Map<String, String> attributes, String version) {
        this.raw = raw;
        this.cageMapper = cageMapper;
        this.tree = tree;
        this.body = body;
        this.stream = stream;
        this.contentType = contentType;
        this.attributes = attributes == null ? Map.of() : attributes;
        this.version = version;
    }

    /** A value a handler returned, to be converted by {@code cageMapper} (the answering version's own). */
    public static Reply ofValue(Object value, ObjectMapper cageMapper, Map<String, String> attributes, String version) {
        return new Reply(value, cageMapper, null, null, null, null, attributes, version);
    }

    /** A streamed body, produced as the transport takes it. */
    public static Reply ofStream(ReplyStream stream, Map<String, String> attributes, String version) {
        return new Reply(null, null, null, null, stream, stream.contentType(), attributes, version);
    }

    /** True when the body is streamed ({@link #stream()}). */
    public boolean isStream() {
        return stream != null;
    }

    /** The streamed body, or null. */
    public ReplyStream stream() {
        return stream;
    }

    /**
     * This reply with a streamed body collected into bytes, for transports that carry whole messages; any
     * other reply as it is. Completes (on the producer's thread) when the producer returned, exceptionally
     * with a {@link CageException} when it failed, its deadline passed, or the body outgrew {@code maxBytes}:
     * {@code BAD_REQUEST} "stream larger than the {@code limitName} of N bytes; call it over HTTP".
     *
     * @param limitName what the limit is, for the message, e.g. "RPC frame limit"
     */
    public CompletableFuture<Reply> collected(int maxBytes, String limitName) {
        if (stream == null) {
            return CompletableFuture.completedFuture(this);
        }
        CollectingSink sink = new CollectingSink(maxBytes, limitName);
        try {
            stream.open(sink);
        } catch (IllegalStateException e) {
            return CompletableFuture.failedFuture(CageException.internal("the streamed reply was already taken: " + e.getMessage(), e));
        }
        return sink.bytes().thenApply(bytes -> new Reply(null, null, null, bytes, null, contentType, attributes, version));
    }

    /** True when the reply carries a value (as opposed to bytes or nothing). */
    public boolean hasValue() {
        return raw != null || tree != null;
    }

    /** The value as a tree, or null when the reply carries bytes or nothing. */
    public JsonNode value() {
        JsonNode t = tree;
        if (t == null && raw != null) {
            t = cageMapper.valueToTree(raw);
            tree = t;
        }
        return t;
    }

    /**
     * The value as JSON bytes, in one pass when it is still the handler's own object.
     *
     * @param treeMapper writes a tree value (one that came as a tree); host-side, never sees cage classes
     */
    public byte[] valueAsJson(ObjectMapper treeMapper) throws JsonProcessingException {
        return raw != null ? cageMapper.writeValueAsBytes(raw) : treeMapper.writeValueAsBytes(tree);
    }

    public byte[] body() {
        return body;
    }

    public String contentType() {
        return contentType;
    }

    public Map<String, String> attributes() {
        return attributes;
    }

    public String version() {
        return version;
    }

    @Override
    public String toString() {
        return "Reply[version " + version + (hasValue() ? ", value" : body != null ? ", " + body.length + " bytes"
                : stream != null ? ", stream" : ", empty") + "]";
    }
}
