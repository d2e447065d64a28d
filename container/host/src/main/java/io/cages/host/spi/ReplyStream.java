package io.cages.host.spi;

/**
 * The body of a streamed reply ({@link io.cages.api.Response#stream}) as a transport sees it. The producer
 * waits, holding its request in flight, until the transport {@link #open opens} the stream with a sink, or
 * {@link #cancel cancels} it, or the request's deadline passes; the transport must do one of them.
 *
 * <p>A transport that streams (HTTP) opens it when it can start sending; one that carries whole messages
 * collects it with {@link Reply#collected}, bounded by its own message limit.
 */
public interface ReplyStream {

    /** The media type the handler gave the stream. */
    String contentType();

    /**
     * Lets the producer run, writing to {@code sink}. At most once; callable from any thread (the producer
     * runs on its own).
     *
     * @throws IllegalStateException when the stream was opened before
     */
    void open(StreamSink sink);

    /**
     * The transport cannot deliver the stream (its client went away before it began): the producer is not run
     * and the request ends. A no-op once {@link #open} was called: the sink then fails the writes itself.
     */
    void cancel(String reason);
}
