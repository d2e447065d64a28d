package io.cages.transport.rpc.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Round trips of every frame type, and the refusals of malformed ones. */
class FrameCodecTest {

    private static final int MAX = 1 << 20;

    private static final Frame.Request REQUEST = new Frame.Request(7, true, 1_500, "gateway", "billing", "charge", "trace-1",
            "application/octet-stream", Map.of("amount", 12.5, "items", List.of("a", "b"), "nested", Map.of("n", 1)),
            new byte[] {1, 2, 3});

    /** Encodes, strips the length prefix as the frame decoder does, decodes. */
    private static Frame roundTrip(Frame frame) throws FrameException {
        ByteBuf buf = FrameCodec.encode(ByteBufAllocator.DEFAULT, frame, MAX);
        try {
            assertEquals(buf.readableBytes() - 4, buf.readInt(), "the length prefix counts the rest of the frame");
            return FrameCodec.decode(buf);
        } finally {
            buf.release();
        }
    }

    private static FrameException refusal(byte[] frameWithoutPrefix) {
        return assertThrows(FrameException.class, () -> FrameCodec.decode(Unpooled.wrappedBuffer(frameWithoutPrefix)));
    }

    private static byte[] withoutPrefix(Frame frame) {
        ByteBuf buf = FrameCodec.encode(ByteBufAllocator.DEFAULT, frame, MAX);
        try {
            byte[] bytes = new byte[buf.readableBytes() - 4];
            buf.getBytes(4, bytes);
            return bytes;
        } finally {
            buf.release();
        }
    }

    @Test
    void requestRoundTripsWithEveryField() throws Exception {
        Frame.Request back = (Frame.Request) roundTrip(REQUEST);
        assertEquals(7, back.id());
        assertTrue(back.idempotent());
        assertEquals(1_500, back.deadlineMs());
        assertEquals("gateway", back.caller());
        assertEquals("billing", back.cage());
        assertEquals("charge", back.operation());
        assertEquals("trace-1", back.traceId());
        assertEquals("application/octet-stream", back.contentType());
        assertEquals(REQUEST.params(), back.params());
        assertArrayEquals(new byte[] {1, 2, 3}, back.body());
    }

    @Test
    void requestWithoutParamsBodyOrDeadlineRoundTrips() throws Exception {
        Frame.Request bare = new Frame.Request(1, false, Frame.NO_DEADLINE, null, "c", "op", null, null, null, null);
        Frame.Request back = (Frame.Request) roundTrip(bare);
        assertEquals(Map.of(), back.params());
        assertEquals(0, back.body().length);
        assertEquals(Frame.NO_DEADLINE, back.deadlineMs());
        assertNull(back.caller());
        assertFalse(back.idempotent());
    }

    @Test
    void aDurableKeyRoundTripsAfterTheBodyBehindItsFlag() throws Exception {
        String nested = "order-1/charge/" + "k".repeat(FrameCodec.MAX_DURABLE_KEY_BYTES - 15);
        Frame.Request durable = new Frame.Request(9, false, 1_000, "front", "ledger", "charge", "t-9", null,
                Map.of("id", "o-1"), new byte[] {4}, nested);
        byte[] bytes = withoutPrefix(durable);
        assertEquals(2, bytes[FrameCodec.HEADER_BYTES], "flag bit 1, not idempotent");
        Frame.Request back = (Frame.Request) roundTrip(durable);
        assertEquals(nested, back.durableKey());
        assertFalse(back.idempotent());
        assertEquals("t-9", back.traceId(), "the trace field is untouched");
        assertEquals(Map.of("id", "o-1"), back.params());
        assertArrayEquals(new byte[] {4}, back.body());

        Frame.Request both = (Frame.Request) roundTrip(new Frame.Request(2, true, 10, null, "c", "op", null, null, null, null, "k"));
        assertTrue(both.idempotent());
        assertEquals("k", both.durableKey());
    }

    @Test
    void aFrameWithoutTheDurableFlagIsByteForByteTheOldOne() throws Exception {
        byte[] plain = withoutPrefix(REQUEST);
        Frame.Request sameWithNullKey = new Frame.Request(REQUEST.id(), REQUEST.idempotent(), REQUEST.deadlineMs(), REQUEST.caller(),
                REQUEST.cage(), REQUEST.operation(), REQUEST.traceId(), REQUEST.contentType(), REQUEST.params(), REQUEST.body(), null);
        assertArrayEquals(plain, withoutPrefix(sameWithNullKey));
        assertNull(((Frame.Request) roundTrip(REQUEST)).durableKey());
    }

    @Test
    void durableKeysOverTheLimitMissingOrNotUtf8AreRefused() {
        Frame.Request tooLong = new Frame.Request(1, false, 10, null, "c", "op", null, null, null, null,
                "k".repeat(FrameCodec.MAX_DURABLE_KEY_BYTES + 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FrameCodec.encode(ByteBufAllocator.DEFAULT, tooLong, MAX));
        assertEquals("durable key of 1025 bytes exceeds the limit of 1024 bytes", e.getMessage());

        // The flag set on a frame that ends at its body: the key is missing.
        byte[] flaggedOnly = withoutPrefix(new Frame.Request(4, false, 10, null, "c", "op", null, null, null, null));
        flaggedOnly[FrameCodec.HEADER_BYTES] = 2;
        FrameException missing = refusal(flaggedOnly);
        assertEquals(4, missing.requestId());
        assertTrue(missing.getMessage().contains("frame ends inside its durable key length"), missing.getMessage());

        // A null string where the key belongs.
        byte[] nullKey = java.util.Arrays.copyOf(flaggedOnly, flaggedOnly.length + 2);
        nullKey[nullKey.length - 2] = (byte) 0xFF;
        nullKey[nullKey.length - 1] = (byte) 0xFF;
        assertEquals("REQUEST flagged durable without a durable key", refusal(nullKey).getMessage());

        byte[] keyed = withoutPrefix(new Frame.Request(5, false, 10, null, "c", "op", null, null, null, null, "ab"));
        keyed[keyed.length - 1] = (byte) 0xC3; // a lead byte with no continuation
        assertEquals("durable key is not valid UTF-8", refusal(keyed).getMessage());

        // A host that predates the flag reads to the body and finds the key as trailing bytes: refused, not run.
        byte[] withKey = withoutPrefix(new Frame.Request(6, false, 10, null, "c", "op", null, null, null, null, "k-1"));
        byte[] asOld = withKey.clone();
        asOld[FrameCodec.HEADER_BYTES] = 0;
        assertTrue(refusal(asOld).getMessage().contains("5 bytes after its last field"));
    }

    @Test
    void responsesRoundTripAsValueBytesOrNothing() throws Exception {
        ObjectNode value = JsonNodeFactory.instance.objectNode().put("greeting", "hello").put("n", 3);
        value.putArray("list").add(1).add("two");
        Frame.Response withValue = (Frame.Response) roundTrip(new Frame.Response(9, "1.2.0", Map.of("k", "v"), value, null, null));
        assertEquals(value, withValue.value());
        assertEquals("1.2.0", withValue.version());
        assertEquals(Map.of("k", "v"), withValue.attributes());

        Frame.Response withBytes = (Frame.Response) roundTrip(new Frame.Response(10, "1.0.0", Map.of(), null, new byte[] {9}, "text/plain"));
        assertArrayEquals(new byte[] {9}, withBytes.body());
        assertEquals("text/plain", withBytes.contentType());
        assertNull(withBytes.value());

        Frame.Response empty = (Frame.Response) roundTrip(new Frame.Response(11, "1.0.0", null, null, null, null));
        assertNull(empty.value());
        assertNull(empty.body());
    }

    @Test
    void errorsAndControlFramesRoundTrip() throws Exception {
        Frame.Error error = new Frame.Error(12, "NOT_FOUND", "no cage named 'x'", "host-a", "x", "op");
        assertEquals(error, roundTrip(error));
        Frame.Error refusal = new Frame.Error(13, "UNAVAILABLE", "shutting down; not executed", "host-a", "x", "op", true);
        assertEquals(refusal, roundTrip(refusal), "the not-executed flag survives the wire");
        for (FrameType type : List.of(FrameType.PING, FrameType.PONG, FrameType.CANCEL)) {
            assertEquals(new Frame.Control(type, 99), roundTrip(new Frame.Control(type, 99)));
        }
    }

    @Test
    void overlongErrorMessagesAreCutNotRefused() throws Exception {
        String message = "é".repeat(FrameCodec.MAX_TEXT_BYTES); // two bytes each: twice the limit
        Frame.Error back = (Frame.Error) roundTrip(new Frame.Error(1, "INTERNAL", message, "h", "c", "o"));
        assertTrue(back.message().length() > 0 && back.message().length() <= FrameCodec.MAX_TEXT_BYTES / 2);
    }

    @Test
    void encoderRefusesNamesOverTheLimitAndFramesOverTheSize() {
        Frame.Request longName = new Frame.Request(1, false, 10, null, "c".repeat(256), "op", null, null, null, null);
        IllegalArgumentException name = assertThrows(IllegalArgumentException.class,
                () -> FrameCodec.encode(ByteBufAllocator.DEFAULT, longName, MAX));
        assertTrue(name.getMessage().contains("cage of 256 bytes"), name.getMessage());

        Frame.Request big = new Frame.Request(1, false, 10, null, "c", "op", null, null, null, new byte[5000]);
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> FrameCodec.encode(ByteBufAllocator.DEFAULT, big, 4096));
        assertTrue(size.getMessage().contains("exceeds the limit of 4096"), size.getMessage());
    }

    @Test
    void badMagicOrVersionIsFatal() {
        byte[] frame = withoutPrefix(REQUEST);
        frame[0] = 0x12;
        FrameException magic = refusal(frame);
        assertTrue(magic.fatal());
        assertEquals(0, magic.requestId());

        frame = withoutPrefix(REQUEST);
        frame[2] = 2;
        FrameException version = refusal(frame);
        assertTrue(version.fatal());
        assertTrue(version.getMessage().contains("version 2"), version.getMessage());

        assertTrue(refusal(new byte[] {(byte) 0xCA, 0x6E, 1}).fatal(), "a frame shorter than the header");
        assertTrue(refusal(new byte[] {(byte) 0xCA, 0x6E, 1, 1, 0, 0}).fatal(), "a header without its whole id");
    }

    @Test
    void aReplyAttributeNamedTwiceOrWithoutANameIsRefused() {
        // version "", two attributes "k"="1" and "k"="2", reply kind empty.
        byte[] header = withoutPrefix(new Frame.Control(FrameType.PING, 9));
        header[3] = 2; // RESPONSE
        byte[] twice = concat(header, new byte[] {0, 0, 0, 2, 0, 1, 'k', 0, 1, '1', 0, 1, 'k', 0, 1, '2', 0});
        FrameException e = refusal(twice);
        assertEquals(9, e.requestId());
        assertTrue(e.getMessage().contains("reply attribute k appears more than once"), e.getMessage());

        byte[] unnamed = concat(header, new byte[] {0, 0, 0, 1, (byte) 0xFF, (byte) 0xFF, 0, 1, '1', 0});
        assertTrue(refusal(unnamed).getMessage().contains("reply attribute 1 has no name"));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    @Test
    void unknownTypeIsRefusedWithItsId() {
        byte[] frame = withoutPrefix(new Frame.Control(FrameType.PING, 77));
        frame[3] = 42;
        FrameException e = refusal(frame);
        assertFalse(e.fatal());
        assertEquals(77, e.requestId());
        assertTrue(e.getMessage().contains("unknown frame type 42"));
    }

    @Test
    void everyTruncationOfARequestIsRefusedWithItsId() {
        byte[] whole = withoutPrefix(REQUEST);
        for (int cut = FrameCodec.HEADER_BYTES; cut < whole.length; cut++) {
            byte[] truncated = java.util.Arrays.copyOf(whole, cut);
            FrameException e = refusal(truncated);
            assertEquals(7, e.requestId(), "cut at " + cut + ": " + e.getMessage());
            assertFalse(e.fatal(), "cut at " + cut);
        }
    }

    @Test
    void lengthsBeyondTheFrameAndStringsOverTheLimitAreRefused() {
        // caller length (after flags and deadline) claims 200 bytes, the frame has fewer.
        byte[] frame = withoutPrefix(REQUEST);
        int callerLength = FrameCodec.HEADER_BYTES + 5;
        frame[callerLength] = 0;
        frame[callerLength + 1] = (byte) 200;
        assertTrue(refusal(frame).getMessage().contains("frame ends inside its caller"));

        frame[callerLength] = 0x10; // 4096 + 200 bytes: over the name limit
        assertTrue(refusal(frame).getMessage().contains("exceeds the limit of 255"));
    }

    @Test
    void trailingBytesAndBadParamsAreRefused() {
        byte[] ping = withoutPrefix(new Frame.Control(FrameType.PING, 5));
        byte[] longer = java.util.Arrays.copyOf(ping, ping.length + 3);
        assertTrue(refusal(longer).getMessage().contains("3 bytes after its last field"));

        Frame.Request noParams = new Frame.Request(3, false, 10, "a", "b", "c", null, null, null, null);
        byte[] frame = withoutPrefix(noParams);
        // Params length is the 4 bytes before the body length (last 4 bytes); claim 4 bytes of garbage instead.
        int paramsAt = frame.length - 8;
        byte[] bad = new byte[frame.length + 4];
        System.arraycopy(frame, 0, bad, 0, paramsAt);
        bad[paramsAt + 3] = 4;
        bad[paramsAt + 4] = 'x';
        bad[paramsAt + 5] = 'y';
        bad[paramsAt + 6] = 'z';
        bad[paramsAt + 7] = '!';
        FrameException e = refusal(bad);
        assertEquals(3, e.requestId());
        assertTrue(e.getMessage().contains("parameters are not a valid Smile map"), e.getMessage());
    }
}
