package io.cages.transport.rpc.internal;

/** The frame types of protocol version 1 and their wire codes (see FORMAT.md). */
enum FrameType {
    REQUEST(1),
    RESPONSE(2),
    ERROR(3),
    PING(4),
    PONG(5),
    /** Reserved: decoded and ignored, so a later version can send it without breaking version-1 hosts. */
    CANCEL(6);

    private static final FrameType[] BY_CODE = {null, REQUEST, RESPONSE, ERROR, PING, PONG, CANCEL};

    final int code;

    FrameType(int code) {
        this.code = code;
    }

    /** The type for a wire code, or null when the code is unknown. */
    static FrameType of(int code) {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
