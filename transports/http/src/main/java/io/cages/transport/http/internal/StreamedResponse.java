package io.cages.transport.http.internal;

import io.cages.api.CageException;
import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.ReplyStream;
import io.cages.host.spi.StreamSink;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A streamed reply on its way out: {@code Transfer-Encoding: chunked} (HTTP/1.0: no framing, the connection
 * closes at the end), one chunk per write of at most {@link #MAX_CHUNK_BYTES}.
 *
 * <p><b>Backpressure.</b> The producer's {@link #write} blocks while more than {@link #HIGH_WATER_BYTES}
 * handed to the event loop have not reached the socket, and goes on once they fell to {@link #LOW_WATER_BYTES}.
 * Counting until each chunk's write completes, rather than reading the channel's writability, also covers
 * chunks still queued as tasks for the event loop: the memory a stream holds is bounded by the high-water mark
 * plus one chunk, whatever the client's pace.
 *
 * <p><b>Order.</b> {@link ConnectionHandler} opens the stream when its exchange is next in line and holds
 * later responses back until it ends. The head goes out with the first chunk (or the end), so a producer that
 * fails before writing anything still gets an ordinary error response; one that fails later cuts the response:
 * the connection closes without the final chunk, which an HTTP client reports as a truncated body.
 *
 * <p>CONCURRENCY: {@link #write} and {@link #end} run on the producer's thread, {@link #abort} on any thread;
 * the head, chunks and end are sent from tasks on the channel's event loop, where {@code headSent} and
 * {@code done} live; {@code unsent} and {@code failure} are shared under {@code lock}.
 */
final class StreamedResponse implements StreamSink {

    static final int MAX_CHUNK_BYTES = 64 * 1024;
    static final int HIGH_WATER_BYTES = 256 * 1024;
    static final int LOW_WATER_BYTES = 128 * 1024;
    /**
     * The connection's kernel send buffer once it streams. Left alone, Linux grows it up to tcp_wmem's maximum
     * (4 MiB by default) for a reader that stalls; fixed, the bytes a stream has in flight stay bounded outside
     * the JVM too (the kernel doubles the figure for its bookkeeping). Still ample for a LAN's bandwidth.
     */
    static final int SEND_BUFFER_BYTES = 1024 * 1024;

    private final InboundRequest request;
    final HttpResponse head;
    private final ReplyStream stream;

    // Set by begin(), on the event loop, before the producer may write.
    private ConnectionHandler owner;
    private Exchange exchange;
    private ChannelHandlerContext ctx;

    // CONCURRENCY: event loop only.
    private boolean headSent;
    private boolean done;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition room = lock.newCondition();
    /** Bytes handed to the event loop whose write has not completed. Guarded by lock. */
    private long unsent;
    /** Why writes fail from now on, or null. Guarded by lock for writes; volatile for cheap reads. */
    private volatile String failure;

    StreamedResponse(InboundRequest request, HttpResponse head, ReplyStream stream) {
        this.request = request;
        this.head = head;
        this.stream = stream;
    }

    /** On the event loop, when the exchange is next in line: lets the producer run. */
    void begin(ConnectionHandler owner, Exchange exchange, ChannelHandlerContext ctx, boolean chunked) {
        this.owner = owner;
        this.exchange = exchange;
        this.ctx = ctx;
        if (!chunked) {
            head.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        }
        ctx.channel().config().setOption(ChannelOption.SO_SNDBUF, SEND_BUFFER_BYTES);
        // A closed connection reaches a running stream through ConnectionHandler (connectionClosed) and through
        // its failed writes; no listener on the channel, which would pile up over a keep-alive connection's streams.
        stream.open(this);
    }

    /** The connection cannot take it (closed before its turn): the producer does not run. */
    void cancel(String reason) {
        stream.cancel(reason);
    }

    /** On the event loop: the connection closed under a running stream. */
    void connectionClosed() {
        done = true;
        fail("the client disconnected");
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException, InterruptedException {
        while (length > 0) {
            int n = Math.min(length, MAX_CHUNK_BYTES);
            awaitRoomFor(n);
            ByteBuf chunk = ctx.alloc().buffer(n);
            chunk.writeBytes(bytes, offset, n);
            try {
                ctx.executor().execute(() -> sendChunk(chunk, n));
            } catch (RejectedExecutionException e) {
                chunk.release();
                sent(n);
                fail("the client disconnected (the server is closing its connections)");
                throw new IOException(failure);
            }
            offset += n;
            length -= n;
        }
    }

    private void awaitRoomFor(int n) throws IOException, InterruptedException {
        lock.lock();
        try {
            while (failure == null && unsent > 0 && unsent + n > HIGH_WATER_BYTES) {
                room.await();
            }
            if (failure != null) {
                throw new IOException(failure);
            }
            unsent += n;
        } finally {
            lock.unlock();
        }
    }

    private void sent(int n) {
        lock.lock();
        try {
            unsent -= n;
            if (unsent <= LOW_WATER_BYTES) {
                room.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    private void fail(String reason) {
        lock.lock();
        try {
            if (failure == null) {
                failure = reason;
            }
            room.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void sendChunk(ByteBuf chunk, int n) {
        if (done) {
            chunk.release();
            sent(n);
            return;
        }
        sendHeadOnce();
        ctx.writeAndFlush(new DefaultHttpContent(chunk)).addListener(written -> {
            sent(n);
            if (!written.isSuccess()) {
                fail("the client disconnected");
            }
        });
    }

    private void sendHeadOnce() {
        if (!headSent) {
            headSent = true;
            ctx.write(head, ctx.voidPromise());
        }
    }

    @Override
    public void end() {
        onLoop(() -> {
            if (done) {
                return;
            }
            done = true;
            sendHeadOnce();
            ChannelFuture last = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            owner.streamEnded(exchange, last);
        });
    }

    @Override
    public void abort(CageException cause) {
        fail(cause.getMessage());
        onLoop(() -> {
            if (done) {
                return;
            }
            done = true;
            if (headSent) {
                owner.streamCut(exchange);
            } else {
                owner.streamFailedBeforeHead(exchange, ReplyEncoder.failure(request, cause));
            }
        });
    }

    private void onLoop(Runnable task) {
        try {
            ctx.executor().execute(task);
        } catch (RejectedExecutionException e) {
            fail("the client disconnected (the server is closing its connections)");
        }
    }
}
