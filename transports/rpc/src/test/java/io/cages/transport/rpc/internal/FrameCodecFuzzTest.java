package io.cages.transport.rpc.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;

/**
 * The RPC frame decoder against arbitrary bytes (coverage-guided with Jazzer): it either decodes a frame or throws
 * {@link FrameException}, never anything else (a peer's bytes must not reach a handler as an unchecked exception,
 * or hang or exhaust the decoder); and a frame it decoded encodes to bytes that decode to the same encoding.
 *
 * <p>In the ordinary test run this replays the corpus kept in the repository
 * ({@code src/test/resources/.../FrameCodecFuzzTestInputs/}); {@code tools/bin/cages fuzz} fuzzes it for a bounded
 * time.
 */
class FrameCodecFuzzTest {

    private static final int MAX_FRAME_BYTES = 1 << 20;

    @FuzzTest(maxDuration = "10s")
    void decodesAFrameOrRefusesItWithAFrameException(byte[] input) throws Exception {
        Frame frame;
        try {
            frame = FrameCodec.decode(Unpooled.wrappedBuffer(input));
        } catch (FrameException refused) {
            return;
        }
        byte[] encoded = encode(frame);
        byte[] again = encode(FrameCodec.decode(Unpooled.wrappedBuffer(encoded, FrameCodec.LENGTH_BYTES, encoded.length - FrameCodec.LENGTH_BYTES)));
        assertArrayEquals(encoded, again, "a decoded frame re-encodes stably");
    }

    private static byte[] encode(Frame frame) {
        ByteBuf out = FrameCodec.encode(UnpooledByteBufAllocator.DEFAULT, frame, MAX_FRAME_BYTES);
        try {
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }
}
