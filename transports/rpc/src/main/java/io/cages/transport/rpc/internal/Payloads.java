package io.cages.transport.rpc.internal;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.smile.SmileFactory;
import com.fasterxml.jackson.dataformat.smile.SmileGenerator;
import com.fasterxml.jackson.dataformat.smile.databind.SmileMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/**
 * The Jackson-encoded parts of a frame: the parameter tree of a request and the value of a response, in
 * Smile (chosen over CBOR by {@code bench.PayloadFormatBench}; figures in FORMAT.md). Binary values are
 * written raw, not in Smile's 7-bit "safe" form: frames are length-delimited, so the 0xFF-free guarantee
 * that form buys is not needed, and raw is 14% smaller and 4x faster. Every document keeps Smile's 4-byte
 * header, which says how it was written. Reads and writes go straight between Jackson and the
 * {@code ByteBuf}, with no intermediate byte array.
 */
final class Payloads {

    /** Parameter trees are shallow in practice; a deep one is an attack on the decoder's stack. */
    static final int MAX_NESTING_DEPTH = 100;

    private static final TypeReference<Map<String, Object>> TREE = new TypeReference<>() {
    };

    // Thread-safe once configured; shared by every connection, as Jackson intends.
    // Trailing tokens fail: a section's length and its document must agree, or the frame is corrupt.
    // A shared buffer pool: frames are encoded on short-lived virtual threads, where Jackson's default
    // thread-local pool never reuses a buffer, and each call allocated a fresh 8 KB output buffer.
    private static final ObjectMapper MAPPER = SmileMapper.builder(SmileFactory.builder()
                    .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool())
                    .disable(SmileGenerator.Feature.ENCODE_BINARY_AS_7BIT)
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Payloads() {
    }

    static void writeParams(Map<String, Object> params, ByteBuf out) throws IOException {
        try (ByteBufOutputStream stream = new ByteBufOutputStream(out)) {
            MAPPER.writeValue((OutputStream) stream, params);
        }
    }

    static void writeTree(JsonNode value, ByteBuf out) throws IOException {
        try (ByteBufOutputStream stream = new ByteBufOutputStream(out)) {
            MAPPER.writeValue((OutputStream) stream, value);
        }
    }

    /** Reads exactly {@code length} bytes of {@code in} as a parameter map; anything but an object fails. */
    static Map<String, Object> readParams(ByteBuf in, int length) throws IOException {
        try (InputStream stream = new ByteBufInputStream(in.readSlice(length))) {
            Map<String, Object> params = MAPPER.readValue(stream, TREE);
            if (params == null) {
                throw new IOException("parameters are null instead of a map");
            }
            return params;
        }
    }

    static JsonNode readTree(ByteBuf in, int length) throws IOException {
        try (InputStream stream = new ByteBufInputStream(in.readSlice(length))) {
            return MAPPER.readTree(stream);
        }
    }
}
