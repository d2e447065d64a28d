package io.cages.host.internal;

import io.cages.api.BodyWriter;
import io.cages.api.CageException;
import io.cages.api.ErrorCode;
import io.cages.host.spi.ReplyStream;
import io.cages.host.spi.StreamSink;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A handler's streamed answer on the host's side: the {@link BodyWriter} waits for the transport to open the
 * stream, then runs on the request's own thread ({@link #produce}) while the request stays in flight. The
 * deadline timer {@link #fail fails} it: the sink is aborted at once (HTTP cuts the response) and the producer
 * interrupted, so its blocked or next write throws.
 */
final class StreamedBody implements ReplyStream {

    private static final Logger LOG = LoggerFactory.getLogger(StreamedBody.class);

    /** Small writes are gathered up to this before they go to the sink (a chunk each on HTTP). */
    static final int BUFFER_BYTES = 16 * 1024;

    private final BodyWriter writer;
    private final String contentType;
    private final String cage;
    private final String version;
    private final String operation;
    private final String requestId;
    private final CompletableFuture<StreamSink> opened = new CompletableFuture<>();
    /** Why the stream cannot go on; the first reason wins. */
    private final AtomicReference<CageException> failure = new AtomicReference<>();
    private volatile Thread producer;

    StreamedBody(BodyWriter writer, String contentType, String cage, String version, String operation, String requestId) {
        this.writer = writer;
        this.contentType = contentType;
        this.cage = cage;
        this.version = version;
        this.operation = operation;
        this.requestId = requestId;
    }

    @Override
    public String contentType() {
        return contentType;
    }

    @Override
    public void open(StreamSink sink) {
        if (!opened.complete(sink)) {
            if (opened.isCompletedExceptionally()) {
                sink.abort(failure.get()); // failed (deadline) before the transport got to it
                return;
            }
            throw new IllegalStateException("the stream of request " + requestId + " was opened twice");
        }
    }

    @Override
    public void cancel(String reason) {
        CageException cause = CageException.unavailable(reason);
        if (opened.completeExceptionally(cause)) { // once open, the sink reports its own failures
            failure.compareAndSet(null, cause);
        }
    }

    /** The deadline passed (or the host stops): ends the stream now, whatever the producer does. Any thread. */
    void fail(CageException cause) {
        failure.compareAndSet(null, cause);
        if (!opened.completeExceptionally(cause)) {
            StreamSink sink = opened.getNow(null);
            if (sink != null) {
                sink.abort(failure.get());
            }
        }
        Thread running = producer;
        if (running != null) {
            running.interrupt();
        }
    }

    /** Runs the producer on the calling thread (the request's) once the transport opened the stream. */
    void produce() {
        producer = Thread.currentThread();
        try {
            StreamSink sink;
            try {
                sink = opened.get();
            } catch (ExecutionException | InterruptedException e) {
                LOG.debug("stream of cage {} {} '{}' (request {}) never began: {}", cage, version, operation, requestId, reason());
                return;
            }
            Output out = new Output(sink);
            try {
                writer.writeTo(out);
                out.drain();
                CageException cause = failure.get();
                if (cause == null) {
                    sink.end();
                } else {
                    sink.abort(cause); // the producer swallowed the failed write and returned
                }
            } catch (Throwable t) {
                CageException cause = failure.get();
                if (cause == null && t instanceof CageException typed) {
                    // A typed error, as handle() may throw: it reaches the caller if nothing went out yet.
                    LOG.warn("cage {} {} ended its stream of '{}' after {} bytes with {} (request {}): {}", cage, version, operation,
                            out.written, typed.code(), requestId, typed.getMessage());
                    failure.compareAndSet(null, typed);
                } else if (cause == null) {
                    LOG.error("cage {} {} failed while streaming '{}' after {} bytes (request {})", cage, version, operation,
                            out.written, requestId, t);
                    failure.compareAndSet(null, CageException.internal("cage '" + cage + "' failed while streaming '" + operation
                            + "'; see the host log for request " + requestId, null));
                } else if (cause.code() == ErrorCode.DEADLINE_EXCEEDED) {
                    LOG.warn("stream of cage {} {} '{}' (request {}) ended after {} bytes: {}", cage, version, operation, requestId,
                            out.written, cause.getMessage());
                } else {
                    LOG.info("stream of cage {} {} '{}' (request {}) stopped after {} bytes: {}", cage, version, operation, requestId,
                            out.written, cause.getMessage());
                }
                sink.abort(failure.get());
            }
        } finally {
            producer = null;
        }
    }

    private String reason() {
        CageException cause = failure.get();
        return cause == null ? "interrupted" : cause.getMessage();
    }

    /**
     * What the producer writes to: gathers small writes, passes large ones through in place, and turns every
     * way the sink can fail into an {@link IOException} that says why.
     */
    private final class Output extends OutputStream {

        private final StreamSink sink;
        private final byte[] buffer = new byte[BUFFER_BYTES];
        private int buffered;
        private long written;
        private boolean closed;

        Output(StreamSink sink) {
            this.sink = sink;
        }

        @Override
        public void write(int b) throws IOException {
            if (buffered == buffer.length) {
                drain();
            }
            check();
            buffer[buffered++] = (byte) b;
            written++;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            java.util.Objects.checkFromIndexSize(offset, length, bytes.length);
            check();
            if (length >= buffer.length) {
                drain();
                send(bytes, offset, length);
            } else {
                if (buffered + length > buffer.length) {
                    drain();
                }
                System.arraycopy(bytes, offset, buffer, buffered, length);
                buffered += length;
            }
            written += length;
        }

        /** Sends what is gathered, so a producer can push out what it has (e.g. a progress line). */
        @Override
        public void flush() throws IOException {
            drain();
        }

        /** The host ends the stream when the producer returns; closing early only sends what is gathered. */
        @Override
        public void close() throws IOException {
            if (!closed) {
                drain();
                closed = true;
            }
        }

        void drain() throws IOException {
            if (buffered > 0) {
                int length = buffered;
                buffered = 0;
                send(buffer, 0, length);
            }
        }

        private void check() throws IOException {
            CageException cause = failure.get();
            if (cause != null) {
                throw new IOException(cause.getMessage());
            }
            if (closed) {
                throw new IOException("the stream was closed");
            }
        }

        private void send(byte[] bytes, int offset, int length) throws IOException {
            check();
            try {
                sink.write(bytes, offset, length);
            } catch (InterruptedException | java.io.InterruptedIOException e) {
                // The deadline timer interrupts after it recorded why; anything else interrupting is the host stopping.
                failure.compareAndSet(null, CageException.unavailable("the stream was interrupted: the host is stopping"));
                throw new IOException(failure.get().getMessage(), e);
            } catch (IOException e) {
                failure.compareAndSet(null, CageException.unavailable(e.getMessage()));
                throw new IOException(failure.get().getMessage(), e);
            }
        }
    }
}
