package io.cages.transport.rpc.internal;

import io.cages.api.CageException;
import io.cages.api.ErrorCode;
import io.cages.host.spi.Reply;
import io.cages.transport.rpc.RemoteCageException;
import io.cages.transport.rpc.RpcConnectionException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection to a peer, multiplexing any number of calls: each gets the next request id and
 * waits in {@link #inflight} for the frame with that id.
 *
 * <p>Delivery: a call whose write has not completed when the connection fails was provably not delivered;
 * one whose write completed may have run on the peer. Heartbeat: after one interval without hearing from
 * the peer it is sent a PING; once the peer has been silent for the idle timeout the connection is closed
 * and its calls fail as delivered, connection lost. Any frame from the peer counts as hearing from it, so
 * a busy connection sends no PINGs.
 */
final class ClientConnection {

    private static final Logger LOG = LoggerFactory.getLogger(ClientConnection.class);

    final InetSocketAddress peer;
    private final ClientShared shared;
    private final ConcurrentHashMap<Long, PendingCall> inflight = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    // CONCURRENCY: set once on the event loop when the connect succeeds, before any call is sent on it.
    private volatile Channel channel;
    private volatile Outbox outbox;  // CONCURRENCY: set with channel, just before it
    // CONCURRENCY: event loop only.
    private int silentIntervals;
    private String closeReason;

    /** The TLS credentials this connection was opened with (0: plain TCP); see {@link ClientShared#tlsGeneration()}. */
    final long tlsGeneration;
    // CONCURRENCY: set once by retire(), on any thread.
    private volatile boolean retired;

    ClientConnection(InetSocketAddress peer, ClientShared shared) {
        this.peer = peer;
        this.shared = shared;
        this.tlsGeneration = shared.tlsGeneration();
    }

    ChannelInitializer<Channel> initializer() {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                if (shared.tls != null) {
                    ch.pipeline().addLast("tls", shared.tls.clientContext().newHandler(ch.alloc(), peer.getHostString(), peer.getPort()));
                }
                ch.pipeline()
                        .addLast("idle", new IdleStateHandler(shared.heartbeatIntervalMs, 0, 0, TimeUnit.MILLISECONDS))
                        .addLast("frames", ServerPipeline.framer(shared.maxFrameBytes))
                        .addLast("rpc", new Handler());
            }
        };
    }

    void attach(Channel channel) {
        this.outbox = new Outbox(channel);
        this.channel = channel;
    }

    boolean isActive() {
        Channel c = channel;
        return c != null && c.isActive() && !retired;
    }

    /** The TLS handshake of a TLS connection, or null on plain TCP. Call after {@link #attach}. */
    io.netty.util.concurrent.Future<Channel> handshake() {
        io.netty.handler.ssl.SslHandler ssl = channel.pipeline().get(io.netty.handler.ssl.SslHandler.class);
        return ssl == null ? null : ssl.handshakeFuture();
    }

    /**
     * Takes no new calls (its pool has a newer connection in its place) and closes once the calls on it are
     * answered. Waits {@code graceMs} first: a call that picked this connection just before it was replaced is
     * sent on it, not failed.
     */
    void retire(long graceMs) {
        retired = true;
        Channel ch = channel;
        if (ch != null) {
            ch.eventLoop().schedule(() -> closeWhenDrained(ch), graceMs, TimeUnit.MILLISECONDS);
        }
    }

    private void closeWhenDrained(Channel ch) {
        if (!ch.isActive()) {
            return;
        }
        if (inflight.isEmpty()) {
            shared.drained.increment();
            close("drained after the TLS credentials changed");
        } else {
            ch.eventLoop().schedule(() -> closeWhenDrained(ch), 20, TimeUnit.MILLISECONDS);
        }
    }

    int inflight() {
        return inflight.size();
    }

    /** Sends the call; every failure on the way completes the call, nothing is thrown. */
    void send(PendingCall call, Outgoing outgoing) {
        Outbox outbox = this.outbox;
        long id = ids.incrementAndGet();
        Frame.Request frame = outgoing.frame(id);
        if (frame == null) {
            call.fail(CageException.deadlineExceeded(call.describe() + ": the deadline passed before it was sent; not sent"));
            return;
        }
        ByteBuf out;
        try {
            out = FrameCodec.encode(outbox.alloc(), frame, shared.maxFrameBytes);
        } catch (IllegalArgumentException e) {
            call.fail(CageException.badRequest(call.describe() + " cannot be sent: " + e.getMessage()));
            return;
        }
        call.connection = this;
        call.id = id;
        inflight.put(id, call);
        if (call.claimed()) {
            // Its deadline passed (or the caller cancelled) while it waited for the connection.
            inflight.remove(id, call);
            out.release();
            return;
        }
        outbox.write(out, f -> {
            if (f.isSuccess()) {
                call.written = true;
            } else if (inflight.remove(id, call)) {
                call.fail(new RpcConnectionException(false, peer, call.describe() + " was not delivered: "
                        + reason(f.cause()), f.cause()));
            }
        });
    }

    void forget(long id, PendingCall call) {
        inflight.remove(id, call);
    }

    void close(String reason) {
        Channel ch = channel;
        if (ch != null) {
            ch.eventLoop().execute(() -> {
                if (closeReason == null) {
                    closeReason = reason;
                }
                ch.close();
            });
        }
    }

    private static String reason(Throwable cause) {
        return cause == null ? "unknown" : cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
    }

    private void complete(Frame frame) {
        PendingCall call = inflight.remove(frame.id());
        if (call == null) {
            return; // answered after its deadline or after the caller gave up: nobody waits for it
        }
        switch (frame) {
            case Frame.Response r -> call.succeed(new Reply(r.value(), r.body(), r.contentType(), r.attributes(), r.version()));
            case Frame.Error e -> call.fail(new RemoteCageException(codeOf(e), e.message(), e.host(), e.cage(), e.operation(), e.notExecuted()));
            default -> throw new IllegalStateException("not an outcome: " + frame);
        }
    }

    private static ErrorCode codeOf(Frame.Error e) {
        try {
            return ErrorCode.valueOf(e.code());
        } catch (IllegalArgumentException | NullPointerException unknown) {
            // A newer peer may know codes this host does not; INTERNAL is the one that promises nothing.
            return ErrorCode.INTERNAL;
        }
    }

    /** Fails every call still waiting: each as delivered or not, by whether its write completed. */
    private void failInflight(String reason) {
        for (Long id : inflight.keySet()) {
            PendingCall call = inflight.remove(id);
            if (call != null) {
                call.fail(call.written
                        ? new RpcConnectionException(true, peer, call.describe() + " was delivered but the connection was lost before the reply: " + reason, null)
                        : new RpcConnectionException(false, peer, call.describe() + " was not delivered: " + reason, null));
            }
        }
    }

    private final class Handler extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf buf)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            silentIntervals = 0;
            Frame frame;
            try {
                frame = FrameCodec.decode(buf);
            } catch (FrameException e) {
                closeWith(ctx, "the peer sent a malformed frame: " + e.getMessage());
                return;
            } finally {
                buf.release();
            }
            switch (frame) {
                case Frame.Response r -> complete(r);
                case Frame.Error e when e.id() == 0 -> closeWith(ctx, "the peer refused the connection: " + e.code() + " " + e.message());
                case Frame.Error e -> complete(e);
                case Frame.Control c when c.type() == FrameType.PING ->
                        ctx.writeAndFlush(FrameCodec.encode(ctx.alloc(), new Frame.Control(FrameType.PONG, c.id()), shared.maxFrameBytes), ctx.voidPromise());
                case Frame.Control c -> {
                    // PONG: hearing from the peer was the point. CANCEL: reserved.
                }
                case Frame.Request r -> closeWith(ctx, "the peer sent a REQUEST on a client connection");
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (!(evt instanceof IdleStateEvent)) {
                ReferenceCountUtil.release(evt);
                return;
            }
            silentIntervals++;
            long silentMs = silentIntervals * shared.heartbeatIntervalMs;
            if (silentMs >= shared.idleTimeoutMs) {
                closeWith(ctx, "the peer was silent for " + silentMs + " ms");
                return;
            }
            ctx.writeAndFlush(FrameCodec.encode(ctx.alloc(), new Frame.Control(FrameType.PING, silentIntervals), shared.maxFrameBytes),
                    ctx.voidPromise());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            failInflight(closeReason != null ? closeReason : "the connection was closed");
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            closeWith(ctx, cause instanceof io.netty.handler.codec.DecoderException
                    ? "the peer sent an undecodable stream: " + FrameCodec.clip(cause.getMessage())
                    : reason(cause));
        }

        private void closeWith(ChannelHandlerContext ctx, String reason) {
            if (closeReason == null) {
                closeReason = reason;
                LOG.debug("rpc connection to {} closing: {}", peer, reason);
            }
            ctx.close();
        }
    }

    @Override
    public String toString() {
        return "rpc connection to " + peer + " (" + inflight.size() + " in flight)";
    }
}
