package io.cages.transport.http.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cages.host.spi.HostJson;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.Date;

/**
 * Builds the responses of both listeners. Header names and constant values are {@link AsciiString}s made
 * once, so the encoder copies their bytes without re-encoding. Response headers skip Netty's validation:
 * every value set here is either a constant, a checked request id, or a cage header that
 * {@link ReplyEncoder} has checked itself.
 */
final class Responses {

    static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
    static final AsciiString X_CAGE_VERSION = AsciiString.cached("x-cage-version");
    static final AsciiString X_CAGE_TIMEOUT_MS = AsciiString.cached("x-cage-timeout-ms");
    static final AsciiString APPLICATION_JSON = AsciiString.cached("application/json");
    static final AsciiString OCTET_STREAM = AsciiString.cached("application/octet-stream");
    static final AsciiString RETRY_AFTER_SECONDS = AsciiString.cached("1");
    static final AsciiString ALLOW_CAGE_METHODS = AsciiString.cached("GET, POST, PUT, DELETE");

    private static final HttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory().withValidation(false);
    private static final HttpHeadersFactory TRAILERS = DefaultHttpHeadersFactory.trailersFactory().withValidation(false);

    /** The Date header value, recomputed at most once a second (RFC 9110 asks origin servers to send it). */
    private static volatile CachedDate date = new CachedDate(-1, AsciiString.EMPTY_STRING);

    private Responses() {
    }

    static FullHttpResponse json(HttpResponseStatus status, byte[] json) {
        return bytes(status, json, APPLICATION_JSON);
    }

    static FullHttpResponse bytes(HttpResponseStatus status, byte[] body, CharSequence contentType) {
        FullHttpResponse response = newResponse(status, Unpooled.wrappedBuffer(body));
        HttpHeaders headers = response.headers();
        headers.set(HttpHeaderNames.CONTENT_TYPE, contentType);
        headers.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return response;
    }

    /** 204: no Content-Length, as RFC 9110 forbids it on 204 responses. */
    static FullHttpResponse noContent() {
        return newResponse(HttpResponseStatus.NO_CONTENT, Unpooled.EMPTY_BUFFER);
    }

    /** A value serialized with the shared mapper; a failure to serialize becomes a 500 (and is logged by the caller). */
    static FullHttpResponse value(HttpResponseStatus status, Object value) throws JsonProcessingException {
        return json(status, HostJson.MAPPER.writeValueAsBytes(value));
    }

    /**
     * The error body every failure gets: {@code {"error":..., "message":..., "requestId":...}}. Only the
     * message chosen for clients goes in, never a stack trace or exception class.
     */
    static FullHttpResponse error(HttpResponseStatus status, String error, String message, String requestId) {
        ObjectNode body = HostJson.MAPPER.createObjectNode();
        body.put("error", error);
        body.put("message", message);
        if (requestId != null) {
            body.put("requestId", requestId);
        }
        byte[] json;
        try {
            json = HostJson.MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException impossible) {
            // A tree of three strings always serializes; keep a valid body anyway.
            json = ("{\"error\":\"" + error + "\"}").getBytes(StandardCharsets.UTF_8);
        }
        return json(status, json);
    }

    /** The current Date header value. */
    static AsciiString date() {
        long second = System.currentTimeMillis() / 1000;
        CachedDate cached = date;
        if (cached.second != second) {
            // Racing event loops may format the same second twice; both results are equal, so no lock.
            cached = new CachedDate(second, new AsciiString(DateFormatter.format(new Date(second * 1000))));
            date = cached;
        }
        return cached.value;
    }

    private static FullHttpResponse newResponse(HttpResponseStatus status, ByteBuf content) {
        return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content, HEADERS, TRAILERS);
    }

    private record CachedDate(long second, AsciiString value) {
    }
}
