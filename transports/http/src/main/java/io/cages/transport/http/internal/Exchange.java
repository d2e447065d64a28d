package io.cages.transport.http.internal;

import io.netty.handler.codec.http.FullHttpResponse;

/**
 * One request on a connection and, once known, its response. A connection's exchanges are answered strictly
 * in the order their requests arrived (HTTP/1.1 pipelining), whatever order their responses complete in.
 *
 * <p>CONCURRENCY: {@link #response} is written and read on the channel's event loop only; other threads hand
 * responses over through {@link ConnectionHandler#respond}.
 */
final class Exchange {

    /** Request id echoed in {@code X-Request-Id}; never null. */
    final String requestId;
    /** Whether the client wants the connection kept open after this response. */
    final boolean keepAlive;
    /** HTTP/1.0 keep-alive needs an explicit {@code Connection: keep-alive} in the response. */
    final boolean http10;

    FullHttpResponse response;
    /** A streamed response instead of {@link #response}. */
    StreamedResponse streamed;
    /** Whether the connection closes once the stream ended (decided when it began). */
    boolean closeAfterStream;

    Exchange(String requestId, boolean keepAlive, boolean http10) {
        this.requestId = requestId;
        this.keepAlive = keepAlive;
        this.http10 = http10;
    }
}
