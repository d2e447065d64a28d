package io.cages.transport.rpc.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The frames one connection has to write, from any thread, written by its event loop in batches with one
 * flush per batch. Frames are encoded where their work was done (a handler's virtual thread, a caller's
 * thread); handing each to the event loop with its own {@code writeAndFlush} cost a task and a write system
 * call per frame, while under load many frames wait at once and one {@code writev} can carry them all (what
 * gRPC-java's WriteQueue does for the same reason). With one frame waiting it costs what {@code writeAndFlush}
 * did: one task, one flush.
 *
 * <p>Order between frames does not matter on an RPC connection (replies carry their request's id), so the
 * event loop's own writes (PONGs, refusals) go straight to the channel.
 */
final class Outbox implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);

    /** At most this many frames per flush, so one busy connection cannot hold its event loop for long. */
    static final int MAX_BATCH = 128;

    /**
     * Frames encoded off the event loop go into plain heap buffers. Netty's pooled allocator keeps a cache per
     * thread, and a virtual thread serves one request: each one set up a cache of its own (or went to the
     * shared arena under its lock) for one small buffer. The event loop copies a heap frame into a pooled
     * direct buffer as it writes it, from its own long-lived cache; that copy is tracked by Netty's leak
     * detector like any pooled buffer. The heap frame itself is not: the garbage collector frees it even if
     * a release were missed, and tracking it would double the detector's sampled stack traces per frame.
     */
    private static final ByteBufAllocator OFF_LOOP = new UnpooledByteBufAllocator(false, true);

    private final Channel channel;
    private final Queue<Entry> queue = new ConcurrentLinkedQueue<>();
    // CONCURRENCY: true from the moment a drain is handed to the event loop until that drain starts; a writer
    // that finds it false after queueing hands over a drain itself, so no frame waits without one coming.
    private final AtomicBoolean scheduled = new AtomicBoolean();

    /** A frame, and who hears how its write went (null: nobody). */
    private record Entry(ByteBuf frame, ChannelFutureListener listener) {
    }

    Outbox(Channel channel) {
        this.channel = channel;
    }

    /** Where to encode a frame about to be written here, from the calling thread. */
    ByteBufAllocator alloc() {
        return channel.eventLoop().inEventLoop() ? channel.alloc() : OFF_LOOP;
    }

    /**
     * Queues {@code frame} (this outbox now owns it) for the next batch. {@code listener}, when not null,
     * hears whether its write succeeded; a closed channel fails it and releases the frame.
     */
    void write(ByteBuf frame, ChannelFutureListener listener) {
        queue.add(new Entry(frame, listener));
        scheduleDrain();
    }

    /** Hands a drain to the event loop unless one is already on its way. */
    private void scheduleDrain() {
        if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
            try {
                channel.eventLoop().execute(this);
            } catch (RejectedExecutionException e) {
                // The event loop is shut down: nothing will write these frames.
                scheduled.set(false);
                discard(e);
            }
        }
    }

    /** One batch, on the event loop. */
    @Override
    public void run() {
        scheduled.set(false); // before draining: a frame queued from now on schedules the next batch
        int written = 0;
        Entry entry;
        while (written < MAX_BATCH && (entry = queue.poll()) != null) {
            if (entry.listener() == null) {
                channel.write(entry.frame(), channel.voidPromise());
            } else {
                channel.write(entry.frame()).addListener(entry.listener());
            }
            written++;
        }
        channel.flush();
        if (!queue.isEmpty()) {
            scheduleDrain(); // the rest after other work of this loop
        }
    }

    private void discard(Throwable cause) {
        Entry entry;
        while ((entry = queue.poll()) != null) {
            entry.frame().release();
            if (entry.listener() != null) {
                try {
                    entry.listener().operationComplete(channel.newFailedFuture(cause));
                } catch (Exception e) {
                    // A listener's failure must not keep the other frames from being released.
                    LOG.warn("rpc write listener on {} failed", channel, e);
                }
            }
        }
    }
}
