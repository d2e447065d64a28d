package io.cages.transport.http.internal;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The HTTP transport's parameter parsing (query string, JSON, form and multipart bodies) against arbitrary bytes,
 * coverage-guided with Jazzer: a request is parsed or refused with a {@link BadRequestException} that has a
 * message, never anything else (an unchecked exception would reach the client as a 500 instead of a 400 naming
 * what was wrong). The ordinary test run replays the corpus under {@code src/test/resources}; {@code tools/bin/cages
 * fuzz} fuzzes it for a bounded time.
 *
 * <p>Input layout, so the fuzzer can reach every parser: byte 0 picks the Content-Type (a fixed one of
 * {@link #CONTENT_TYPES}, or the next bytes as a header value), then one length byte and that many bytes of
 * query string, then the body.
 */
class RequestParamsFuzzTest {

    private static final List<String> CONTENT_TYPES = List.of(
            "application/json",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=b",
            "application/problem+json; charset=utf-8",
            "text/plain");
    /** Byte 0 values beyond the fixed types: the header is taken from the input, or left out. */
    private static final int FROM_INPUT = CONTENT_TYPES.size();
    private static final int NONE = FROM_INPUT + 1;

    @FuzzTest(maxDuration = "10s")
    void parametersAreParsedOrRefusedAsABadRequest(byte[] input) {
        if (input.length == 0) {
            return;
        }
        int at = 1;
        int choice = Byte.toUnsignedInt(input[0]) % (NONE + 1);
        String contentType = null;
        if (choice < FROM_INPUT) {
            contentType = CONTENT_TYPES.get(choice);
        } else if (choice == FROM_INPUT && at < input.length) {
            int length = Math.min(Byte.toUnsignedInt(input[at++]), input.length - at);
            contentType = headerValue(Arrays.copyOfRange(input, at, at + length));
            at += length;
        }
        String query = null;
        if (at < input.length) {
            int length = Math.min(Byte.toUnsignedInt(input[at++]), input.length - at);
            query = new String(input, at, length, StandardCharsets.ISO_8859_1);
            at += length;
        }
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/c/op",
                Unpooled.wrappedBuffer(input, at, input.length - at));
        if (contentType != null) {
            try {
                request.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
            } catch (IllegalArgumentException invalid) {
                request.release();
                return; // Netty's header validation refuses this value before any handler could see it
            }
        }
        try {
            RequestParams params = new RequestParams();
            params.addQuery(query);
            params.addBody(request);
            Map<String, Object> tree = params.toMap();
            if (tree == null) {
                throw new AssertionError("parsed parameters must be a map, even an empty one");
            }
        } catch (BadRequestException refused) {
            if (refused.getMessage() == null || refused.getMessage().isBlank()) {
                throw new AssertionError("a refusal must say what was wrong", refused);
            }
        } finally {
            request.release();
        }
    }

    private static String headerValue(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
