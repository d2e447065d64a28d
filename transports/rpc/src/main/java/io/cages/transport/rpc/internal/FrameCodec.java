package io.cages.transport.rpc.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Encodes and decodes version-1 frames (layout in FORMAT.md). Decoding never throws anything but
 * {@link FrameException}, checks every length against what the frame holds before reading, and leaves the
 * input buffer's release to the caller (the handler that received it).
 */
final class FrameCodec {

    static final int MAGIC = 0xCA6E;
    static final int VERSION = 1;
    /** Bytes of the length prefix, which {@link io.netty.handler.codec.LengthFieldBasedFrameDecoder} strips. */
    static final int LENGTH_BYTES = 4;
    /** magic (2) + version (1) + type (1) + request id (8). */
    static final int HEADER_BYTES = 12;

    /** Names: cages, operations, callers, hosts, versions, trace ids, content types, attribute keys. */
    static final int MAX_NAME_BYTES = 255;
    /** Free text: error messages and attribute values. Longer error messages are cut when encoded. */
    static final int MAX_TEXT_BYTES = 8192;
    static final int MAX_ATTRIBUTES = 256;
    /** A durable call's key: nested keys ({@code parent/child}) reach 1,000 characters of ASCII. */
    static final int MAX_DURABLE_KEY_BYTES = 1024;

    private static final int NULL_STRING = 0xFFFF;
    private static final int FLAG_IDEMPOTENT = 1;
    /** REQUEST flag: a durable call's key follows the body. */
    private static final int FLAG_DURABLE = 2;
    private static final int KIND_EMPTY = 0;
    private static final int KIND_VALUE = 1;
    private static final int KIND_BYTES = 2;

    private FrameCodec() {
    }

    // ---------------------------------------------------------------------------------------------- encoding

    /**
     * The frame with its length prefix, ready to write. The caller owns the returned buffer.
     *
     * @throws IllegalArgumentException naming the field over its limit, a tree Jackson cannot write, or a frame
     *                                  larger than {@code maxFrameBytes}
     */
    static ByteBuf encode(ByteBufAllocator alloc, Frame frame, int maxFrameBytes) {
        ByteBuf out = alloc.buffer(initialSize(frame));
        boolean done = false;
        try {
            out.writeInt(0); // length, set below
            out.writeShort(MAGIC).writeByte(VERSION).writeByte(typeOf(frame).code).writeLong(frame.id());
            switch (frame) {
                case Frame.Request r -> writeRequest(r, out);
                case Frame.Response r -> writeResponse(r, out);
                case Frame.Error e -> writeError(e, out);
                case Frame.Control c -> {
                }
            }
            int length = out.readableBytes() - LENGTH_BYTES;
            if (length > maxFrameBytes) {
                throw new IllegalArgumentException("frame of " + length + " bytes exceeds the limit of " + maxFrameBytes + " bytes");
            }
            out.setInt(0, length);
            done = true;
            return out;
        } finally {
            if (!done) {
                out.release();
            }
        }
    }

    private static int initialSize(Frame frame) {
        return switch (frame) {
            case Frame.Request r -> 128 + r.body().length;
            case Frame.Response r -> 128 + (r.body() != null ? r.body().length : 0);
            default -> 64;
        };
    }

    private static FrameType typeOf(Frame frame) {
        return switch (frame) {
            case Frame.Request r -> FrameType.REQUEST;
            case Frame.Response r -> FrameType.RESPONSE;
            case Frame.Error e -> FrameType.ERROR;
            case Frame.Control c -> c.type();
        };
    }

    private static void writeRequest(Frame.Request r, ByteBuf out) {
        out.writeByte((r.idempotent() ? FLAG_IDEMPOTENT : 0) | (r.durableKey() != null ? FLAG_DURABLE : 0));
        out.writeInt((int) Math.min(Math.max(r.deadlineMs(), 0), Frame.NO_DEADLINE));
        writeName(out, r.caller(), "caller");
        writeName(out, r.cage(), "cage");
        writeName(out, r.operation(), "operation");
        writeName(out, r.traceId(), "trace id");
        writeName(out, r.contentType(), "content type");
        if (r.params().isEmpty()) {
            out.writeInt(0);
        } else {
            int at = out.writerIndex();
            out.writeInt(0);
            try {
                Payloads.writeParams(r.params(), out);
            } catch (java.io.IOException | RuntimeException e) {
                throw new IllegalArgumentException("parameters cannot be encoded: " + clip(e.getMessage()), e);
            }
            out.setInt(at, out.writerIndex() - at - 4);
        }
        out.writeInt(r.body().length).writeBytes(r.body());
        if (r.durableKey() != null) {
            // Last, so a host that predates the flag finds bytes after the body and refuses the frame rather
            // than running the call without its key.
            writeString(out, r.durableKey(), MAX_DURABLE_KEY_BYTES, "durable key");
        }
    }

    private static void writeResponse(Frame.Response r, ByteBuf out) {
        writeName(out, r.version(), "version");
        Map<String, String> attributes = r.attributes() == null ? Map.of() : r.attributes();
        if (attributes.size() > MAX_ATTRIBUTES) {
            throw new IllegalArgumentException(attributes.size() + " reply attributes exceed the limit of " + MAX_ATTRIBUTES);
        }
        out.writeShort(attributes.size());
        attributes.forEach((key, value) -> {
            writeName(out, key, "attribute name");
            writeString(out, value, MAX_TEXT_BYTES, "attribute " + key);
        });
        if (r.value() != null) {
            out.writeByte(KIND_VALUE);
            int at = out.writerIndex();
            out.writeInt(0);
            try {
                Payloads.writeTree(r.value(), out);
            } catch (java.io.IOException | RuntimeException e) {
                throw new IllegalArgumentException("reply value cannot be encoded: " + clip(e.getMessage()), e);
            }
            out.setInt(at, out.writerIndex() - at - 4);
        } else if (r.body() != null) {
            out.writeByte(KIND_BYTES);
            writeName(out, r.contentType(), "content type");
            out.writeInt(r.body().length).writeBytes(r.body());
        } else {
            out.writeByte(KIND_EMPTY);
        }
    }

    /** ERROR flag: the callee refused the call before running it. */
    private static final int ERROR_NOT_EXECUTED = 1;

    private static void writeError(Frame.Error e, ByteBuf out) {
        // An error must always be sendable: over-long text is cut rather than refused.
        writeString(out, cut(e.code(), MAX_NAME_BYTES), MAX_NAME_BYTES, "code");
        writeString(out, cut(e.message(), MAX_TEXT_BYTES), MAX_TEXT_BYTES, "message");
        writeString(out, cut(e.host(), MAX_NAME_BYTES), MAX_NAME_BYTES, "host");
        writeString(out, cut(e.cage(), MAX_NAME_BYTES), MAX_NAME_BYTES, "cage");
        writeString(out, cut(e.operation(), MAX_NAME_BYTES), MAX_NAME_BYTES, "operation");
        out.writeByte(e.notExecuted() ? ERROR_NOT_EXECUTED : 0);
    }

    private static void writeName(ByteBuf out, String value, String field) {
        writeString(out, value, MAX_NAME_BYTES, field);
    }

    private static void writeString(ByteBuf out, String value, int max, String field) {
        if (value == null) {
            out.writeShort(NULL_STRING);
            return;
        }
        int bytes = ByteBufUtil.utf8Bytes(value);
        if (bytes > max) {
            throw new IllegalArgumentException(field + " of " + bytes + " bytes exceeds the limit of " + max + " bytes");
        }
        out.writeShort(bytes);
        ByteBufUtil.reserveAndWriteUtf8(out, value, bytes);
    }

    /** {@code value} shortened until its UTF-8 form fits in {@code max} bytes. */
    static String cut(String value, int max) {
        if (value == null || value.length() * 3 <= max || ByteBufUtil.utf8Bytes(value) <= max) {
            return value;
        }
        int chars = Math.min(value.length(), max);
        String cut = value.substring(0, chars);
        while (ByteBufUtil.utf8Bytes(cut) > max) {
            chars = chars * 3 / 4;
            cut = value.substring(0, chars);
        }
        return cut;
    }

    // ---------------------------------------------------------------------------------------------- decoding

    /**
     * Decodes one frame whose length prefix was already stripped. Does not release {@code in}.
     *
     * @throws FrameException for anything malformed, with the request id when it was readable
     */
    static Frame decode(ByteBuf in) throws FrameException {
        int size = in.readableBytes();
        if (size < 4) {
            throw new FrameException(0, true, "frame of " + size + " bytes is shorter than its header");
        }
        int magic = in.readUnsignedShort();
        if (magic != MAGIC) {
            throw new FrameException(0, true, "bad magic 0x" + Integer.toHexString(magic) + ": not a cages RPC stream");
        }
        int version = in.readUnsignedByte();
        if (version != VERSION) {
            throw new FrameException(0, true, "protocol version " + version + " is not supported (this host speaks " + VERSION + ")");
        }
        int typeCode = in.readUnsignedByte();
        if (in.readableBytes() < 8) {
            throw new FrameException(0, true, "frame of " + size + " bytes ends inside its header");
        }
        long id = in.readLong();
        FrameType type = FrameType.of(typeCode);
        if (type == null) {
            throw new FrameException(id, false, "unknown frame type " + typeCode);
        }
        Frame frame = switch (type) {
            case REQUEST -> readRequest(in, id);
            case RESPONSE -> readResponse(in, id);
            case ERROR -> readError(in, id);
            case PING, PONG, CANCEL -> new Frame.Control(type, id);
        };
        if (in.isReadable()) {
            throw new FrameException(id, false, type + " frame has " + in.readableBytes() + " bytes after its last field");
        }
        return frame;
    }

    private static Frame.Request readRequest(ByteBuf in, long id) throws FrameException {
        need(in, 5, "flags and deadline", id);
        int flags = in.readUnsignedByte(); // bits other than idempotent and durable are reserved and ignored
        long deadlineMs = in.readUnsignedInt();
        String caller = readString(in, MAX_NAME_BYTES, "caller", id);
        String cage = readString(in, MAX_NAME_BYTES, "cage", id);
        String operation = readString(in, MAX_NAME_BYTES, "operation", id);
        String traceId = readString(in, MAX_NAME_BYTES, "trace id", id);
        String contentType = readString(in, MAX_NAME_BYTES, "content type", id);
        if (cage == null || operation == null) {
            throw new FrameException(id, false, "REQUEST without " + (cage == null ? "cage" : "operation"));
        }
        int paramsLength = readLength(in, "parameters", id);
        Map<String, Object> params;
        if (paramsLength == 0) {
            params = Map.of();
        } else {
            try {
                params = Payloads.readParams(in, paramsLength);
            } catch (Exception e) {
                throw new FrameException(id, false, "parameters are not a valid Smile map: " + clip(e.getMessage()));
            }
        }
        byte[] body = readBytes(in, "body", id);
        String durableKey = null;
        if ((flags & FLAG_DURABLE) != 0) {
            durableKey = readString(in, MAX_DURABLE_KEY_BYTES, "durable key", id);
            if (durableKey == null || durableKey.isEmpty()) {
                throw new FrameException(id, false, "REQUEST flagged durable without a durable key");
            }
        }
        return new Frame.Request(id, (flags & FLAG_IDEMPOTENT) != 0, deadlineMs, caller, cage, operation, traceId,
                contentType, params, body, durableKey);
    }

    private static Frame.Response readResponse(ByteBuf in, long id) throws FrameException {
        String version = readString(in, MAX_NAME_BYTES, "version", id);
        need(in, 2, "attribute count", id);
        int count = in.readUnsignedShort();
        if (count > MAX_ATTRIBUTES) {
            throw new FrameException(id, false, count + " attributes exceed the limit of " + MAX_ATTRIBUTES);
        }
        Map<String, String> attributes = count == 0 ? Map.of() : HashMap.newHashMap(count);
        for (int i = 0; i < count; i++) {
            String key = readString(in, MAX_NAME_BYTES, "attribute name", id);
            if (key == null) {
                throw new FrameException(id, false, "reply attribute " + (i + 1) + " has no name");
            }
            // A repeated name would keep only its last value, and the reply would no longer be the one the peer
            // sent (found by FrameCodecFuzzTest: the map's size and order changed on re-encoding).
            if (attributes.containsKey(key)) {
                throw new FrameException(id, false, "reply attribute " + key + " appears more than once");
            }
            attributes.put(key, readString(in, MAX_TEXT_BYTES, "attribute value", id));
        }
        need(in, 1, "reply kind", id);
        int kind = in.readUnsignedByte();
        return switch (kind) {
            case KIND_EMPTY -> new Frame.Response(id, version, attributes, null, null, null);
            case KIND_VALUE -> {
                int length = readLength(in, "value", id);
                try {
                    yield new Frame.Response(id, version, attributes, Payloads.readTree(in, length), null, null);
                } catch (Exception e) {
                    throw new FrameException(id, false, "reply value is not valid Smile: " + clip(e.getMessage()));
                }
            }
            case KIND_BYTES -> {
                String contentType = readString(in, MAX_NAME_BYTES, "content type", id);
                yield new Frame.Response(id, version, attributes, null, readBytes(in, "body", id), contentType);
            }
            default -> throw new FrameException(id, false, "unknown reply kind " + kind);
        };
    }

    private static Frame.Error readError(ByteBuf in, long id) throws FrameException {
        return new Frame.Error(id,
                readString(in, MAX_NAME_BYTES, "code", id),
                readString(in, MAX_TEXT_BYTES, "message", id),
                readString(in, MAX_NAME_BYTES, "host", id),
                readString(in, MAX_NAME_BYTES, "cage", id),
                readString(in, MAX_NAME_BYTES, "operation", id),
                (readErrorFlags(in, id) & ERROR_NOT_EXECUTED) != 0);
    }

    private static int readErrorFlags(ByteBuf in, long id) throws FrameException {
        need(in, 1, "error flags", id);
        return in.readUnsignedByte();
    }

    private static String readString(ByteBuf in, int max, String field, long id) throws FrameException {
        need(in, 2, field + " length", id);
        int length = in.readUnsignedShort();
        if (length == NULL_STRING) {
            return null;
        }
        if (length > max) {
            throw new FrameException(id, false, field + " of " + length + " bytes exceeds the limit of " + max + " bytes");
        }
        need(in, length, field, id);
        // Strict: a lenient decode would turn each malformed byte into U+FFFD (three bytes), so a name within its
        // limit here could come out over it when sent on (found by FrameCodecFuzzTest).
        if (!ByteBufUtil.isText(in, in.readerIndex(), length, StandardCharsets.UTF_8)) {
            throw new FrameException(id, false, field + " is not valid UTF-8");
        }
        String value = in.toString(in.readerIndex(), length, StandardCharsets.UTF_8);
        in.skipBytes(length);
        return value;
    }

    private static int readLength(ByteBuf in, String field, long id) throws FrameException {
        need(in, 4, field + " length", id);
        long length = in.readUnsignedInt();
        if (length > in.readableBytes()) {
            throw new FrameException(id, false, field + " length " + length + " exceeds the " + in.readableBytes()
                    + " bytes left in the frame");
        }
        return (int) length;
    }

    private static byte[] readBytes(ByteBuf in, String field, long id) throws FrameException {
        byte[] bytes = new byte[readLength(in, field, id)];
        in.readBytes(bytes);
        return bytes;
    }

    private static void need(ByteBuf in, int bytes, String field, long id) throws FrameException {
        if (in.readableBytes() < bytes) {
            throw new FrameException(id, false, "frame ends inside its " + field + " (" + bytes + " bytes needed, "
                    + in.readableBytes() + " left)");
        }
    }

    /** Jackson messages can quote input; keep what reaches the peer short. */
    static String clip(String message) {
        if (message == null) {
            return "";
        }
        String line = message.lines().findFirst().orElse("");
        return line.length() <= 200 ? line : line.substring(0, 200) + "...";
    }
}
