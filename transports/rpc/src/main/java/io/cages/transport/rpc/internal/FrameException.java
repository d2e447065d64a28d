package io.cages.transport.rpc.internal;

/**
 * A frame that cannot be decoded. {@link #requestId} is the id when the header was readable (the peer gets
 * an ERROR frame for it), else 0. A {@link #fatal} one means the byte stream itself cannot be trusted (wrong
 * magic or version, a length beyond the limit): the connection is closed after the ERROR frame.
 */
final class FrameException extends Exception {

    private static final long serialVersionUID = 1L;

    final long requestId;
    final boolean fatal;

    FrameException(long requestId, boolean fatal, String message) {
        super(message, null, false, false); // expected on bad input: no stack trace to fill
        this.requestId = requestId;
        this.fatal = fatal;
    }

    long requestId() {
        return requestId;
    }

    boolean fatal() {
        return fatal;
    }
}
