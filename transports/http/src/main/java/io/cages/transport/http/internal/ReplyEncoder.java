package io.cages.transport.http.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.cages.api.CageException;
import io.cages.api.ErrorCode;
import io.cages.host.spi.HostJson;
import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.Reply;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a dispatcher's outcome into an HTTP response. Runs on the thread that completed the request (the
 * handler's virtual thread, usually), so serialization happens off the event loop.
 *
 * <ul>
 *   <li>{@link Reply#value()} -> 200 {@code application/json}; {@link Reply#body()} (non-empty) -> 200 with
 *   its content type ({@code application/octet-stream} when it has none); neither -> 204. A streamed reply
 *   gets only its head here ({@link #streamHead}): 200, {@code Transfer-Encoding: chunked}, its content type;
 *   {@link StreamedResponse} sends the body.</li>
 *   <li>{@code header.<name>} attributes become response headers, except those that frame the message or
 *   belong to the transport ({@link #RESERVED}) and names or values that are not valid HTTP; those are
 *   skipped with a warning rather than failing the response.</li>
 *   <li>{@link CageException} -> the status of its code ({@link #status}), {@code error} = lower-case code name;
 *   {@link ErrorCode#UNAVAILABLE} adds {@code Retry-After: 1}. Anything else -> 500 {@code internal} with a
 *   generic message; the exception goes to the log only.</li>
 * </ul>
 */
final class ReplyEncoder {

    private static final Logger LOG = LoggerFactory.getLogger(ReplyEncoder.class);

    private static final String HEADER_PREFIX = "header.";

    /** Headers a cage may not set: they frame the message or are the transport's own. */
    static final Set<String> RESERVED = Set.of("content-length", "transfer-encoding", "connection", "keep-alive",
            "upgrade", "trailer", "te", "date", "x-request-id", "x-cage-version");

    private static final ErrorCode[] CODES = ErrorCode.values();
    private static final String[] ERROR_NAMES = new String[CODES.length];
    private static final HttpResponseStatus[] STATUSES = new HttpResponseStatus[CODES.length];

    static {
        for (ErrorCode code : CODES) {
            ERROR_NAMES[code.ordinal()] = code.name().toLowerCase(Locale.ROOT);
            STATUSES[code.ordinal()] = status(code);
        }
    }

    /**
     * The HTTP status of each error code: the cage API knows no protocol, so the mapping lives here. A
     * switch without a default, so that a new code does not compile until it has a status.
     */
    static HttpResponseStatus status(ErrorCode code) {
        return switch (code) {
            case BAD_REQUEST -> HttpResponseStatus.BAD_REQUEST;
            case NOT_FOUND -> HttpResponseStatus.NOT_FOUND;
            case UNAVAILABLE -> HttpResponseStatus.SERVICE_UNAVAILABLE;
            case DEADLINE_EXCEEDED -> HttpResponseStatus.GATEWAY_TIMEOUT;
            case INTERNAL -> HttpResponseStatus.INTERNAL_SERVER_ERROR;
            case FORBIDDEN -> HttpResponseStatus.FORBIDDEN;
        };
    }

    private ReplyEncoder() {
    }

    /** The response for a dispatcher outcome; never throws. */
    static FullHttpResponse encode(InboundRequest request, Reply reply, Throwable failure) {
        try {
            if (failure != null) {
                return failure(request, failure);
            }
            if (reply == null) {
                LOG.error("request {} to {}/{} completed without a reply", request.id(), request.cage(), request.operation());
                return internal(request.id());
            }
            return reply(reply);
        } catch (JsonProcessingException | RuntimeException e) {
            LOG.error("request {} to {}/{}: cannot encode the reply", request.id(), request.cage(), request.operation(), e);
            return internal(request.id());
        }
    }

    static FullHttpResponse reply(Reply reply) throws JsonProcessingException {
        FullHttpResponse response;
        if (reply.hasValue()) {
            response = Responses.json(HttpResponseStatus.OK, reply.valueAsJson(HostJson.MAPPER));
        } else if (reply.body() != null && reply.body().length > 0) {
            CharSequence type = Responses.OCTET_STREAM;
            if (isFieldValue(reply.contentType())) {
                type = reply.contentType();
            } else if (reply.contentType() != null) {
                LOG.warn("cage version {} gave a content type that is not a valid header value; sent as {}", reply.version(), type);
            }
            response = Responses.bytes(HttpResponseStatus.OK, reply.body(), type);
        } else {
            response = Responses.noContent();
        }
        HttpHeaders headers = response.headers();
        if (reply.version() != null) {
            headers.set(Responses.X_CAGE_VERSION, reply.version());
        }
        Map<String, String> attributes = reply.attributes();
        if (attributes != null && !attributes.isEmpty()) {
            copyHeaders(attributes, headers, reply.version());
        }
        return response;
    }

    /** The head of a streamed reply: status, framing, content type, version and the cage's headers. */
    static HttpResponse streamHead(Reply reply) {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        HttpHeaders headers = head.headers();
        headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        CharSequence type = Responses.OCTET_STREAM;
        if (isFieldValue(reply.contentType())) {
            type = reply.contentType();
        } else if (reply.contentType() != null) {
            LOG.warn("cage version {} gave a content type that is not a valid header value; sent as {}", reply.version(), type);
        }
        headers.set(HttpHeaderNames.CONTENT_TYPE, type);
        if (reply.version() != null) {
            headers.set(Responses.X_CAGE_VERSION, reply.version());
        }
        Map<String, String> attributes = reply.attributes();
        if (attributes != null && !attributes.isEmpty()) {
            copyHeaders(attributes, headers, reply.version());
        }
        return head;
    }

    static FullHttpResponse failure(InboundRequest request, Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof CageException ce) {
            ErrorCode code = ce.code();
            FullHttpResponse response = Responses.error(STATUSES[code.ordinal()], ERROR_NAMES[code.ordinal()], ce.getMessage(), request.id());
            if (code == ErrorCode.UNAVAILABLE) {
                response.headers().set(HttpHeaderNames.RETRY_AFTER, Responses.RETRY_AFTER_SECONDS);
            }
            return response;
        }
        LOG.error("request {} to {}/{} failed unexpectedly", request.id(), request.cage(), request.operation(), cause);
        return internal(request.id());
    }

    static FullHttpResponse internal(String requestId) {
        return Responses.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, ERROR_NAMES[ErrorCode.INTERNAL.ordinal()],
                "internal error; the host log has the details under this request id", requestId);
    }

    static Throwable unwrap(Throwable failure) {
        return io.cages.host.spi.Failures.cause(failure);
    }

    private static void copyHeaders(Map<String, String> attributes, HttpHeaders headers, String version) {
        for (Map.Entry<String, String> attribute : attributes.entrySet()) {
            String key = attribute.getKey();
            if (!key.startsWith(HEADER_PREFIX)) {
                continue;
            }
            String name = key.substring(HEADER_PREFIX.length()).toLowerCase(Locale.ROOT);
            String value = attribute.getValue();
            if (!isToken(name) || RESERVED.contains(name) || !isFieldValue(value)) {
                LOG.warn("cage version {} set response attribute '{}' that cannot be sent as an HTTP header; skipped", version, key);
                continue;
            }
            headers.set(name, value);
        }
    }

    /** RFC 9110 token characters: what a header name may consist of. */
    static boolean isToken(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Visible ASCII, space and tab only: no CR/LF (response splitting) and no bytes the encoder would mangle. */
    static boolean isFieldValue(String value) {
        if (value == null) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c > 0x7e) {
                return false;
            }
        }
        return true;
    }
}
