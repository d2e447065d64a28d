package io.cages.transport.rpc.internal;

import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.api.ErrorCode;
import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.Reply;
import io.cages.host.spi.RefusedException;
import io.cages.host.spi.TraceContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One server connection: decodes frames, dispatches REQUESTs, answers PINGs, refuses everything else.
 *
 * <p>Requests are multiplexed: each is dispatched at once and answered whenever it completes, so replies
 * leave in completion order with the id of their request. The reply is encoded on the thread that
 * completed the dispatch (a cage's virtual thread or the host's timer) and handed to the event loop through
 * the connection's {@link Outbox}, which writes the replies waiting at once with one flush; the event loop
 * itself only decodes and never waits.
 *
 * <p>Refusals: a frame whose id is readable but whose content is malformed gets an ERROR BAD_REQUEST with
 * that id and the connection stays up (the length prefix still delimits the next frame). A stream that
 * cannot be trusted (bad magic or version, a length beyond the limit, a header cut short) gets an ERROR
 * with id 0 and is closed. No exception leaves this handler.
 */
final class ServerConnectionHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ServerConnectionHandler.class);
    /** Request attribute: the calling host's name, from its TLS certificate (mutual TLS only). */
    static final String PEER_HOST = "peer.host";

    private final ServerShared server;

    private final Outbox outbox;
    // CONCURRENCY: event loop only; the peer of a connection never changes.
    private Map<String, String> peerAttributes;
    private String peerName;
    // CONCURRENCY: event loop only. Set by a fatal refusal: frames already buffered behind it are dropped.
    private boolean closing;
    // CONCURRENCY: incremented on the event loop when a request is dispatched, decremented by whichever thread
    // completes it. With untrusted, the connection closes when it reaches 0.
    private final AtomicInteger unanswered = new AtomicInteger();
    // CONCURRENCY: set once on the event loop (checkTrust); read by the threads completing requests.
    private volatile String untrusted;

    ServerConnectionHandler(ServerShared server, Channel channel) {
        this.server = server;
        this.outbox = new Outbox(channel);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress inet) {
            String ip = inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
            peerAttributes = Map.of("remote.address", ip, "remote.port", Integer.toString(inet.getPort()));
            peerName = "rpc:" + ip + ":" + inet.getPort();
        } else {
            peerAttributes = Map.of();
            peerName = "rpc:" + ctx.channel().remoteAddress();
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (closing) {
            buf.release();
            return;
        }
        Frame frame;
        try {
            frame = FrameCodec.decode(buf);
        } catch (FrameException e) {
            refuse(ctx, e.requestId(), e.fatal(), e.getMessage());
            return;
        } finally {
            buf.release();
        }
        switch (frame) {
            case Frame.Request request -> serve(ctx.channel(), request);
            case Frame.Control c when c.type() == FrameType.PING ->
                    write(ctx.channel(), new Frame.Control(FrameType.PONG, c.id()));
            case Frame.Control c -> {
                // PONG needs nothing; CANCEL is reserved in version 1 (the dispatcher has no cancel yet).
            }
            default -> refuse(ctx, frame.id(), false, "a server does not accept " + frame.getClass().getSimpleName().toUpperCase() + " frames");
        }
    }

    private void serve(Channel channel, Frame.Request r) {
        server.request();
        if (server.draining()) {
            write(channel, refusal(r, ErrorCode.UNAVAILABLE, "host '" + server.hostName + "' is shutting down; request not executed"));
            return;
        }
        if (untrusted != null) {
            write(channel, refusal(r, ErrorCode.UNAVAILABLE, "host '" + server.hostName + "' closes this connection: " + untrusted
                    + "; request not executed"));
            return;
        }
        if (r.deadlineMs() == 0) {
            write(channel, refusal(r, ErrorCode.DEADLINE_EXCEEDED, "the call to cage '" + r.cage()
                    + "' arrived with its deadline already passed; not executed"));
            return;
        }
        Deadline deadline = r.deadlineMs() == Frame.NO_DEADLINE ? null : Deadline.afterMillis(r.deadlineMs());
        Map<String, String> attributes = attributes(r);
        InboundRequest inbound;
        CompletableFuture<Reply> outcome;
        try {
            inbound = new InboundRequest(server.dispatcher.newRequestId(), r.cage(), r.operation(), r.params(), r.body(),
                    r.contentType(), attributes, r.caller() != null ? r.caller() : peerName, deadline);
            // A streamed answer travels as one frame: collected up to the frame limit, refused past it.
            outcome = server.dispatcher.dispatch(inbound)
                    .thenCompose(reply -> reply.collected(server.maxFrameBytes, "RPC frame limit"));
        } catch (RuntimeException e) {
            // The dispatcher promises not to throw; if it does, the caller still gets an answer.
            outcome = CompletableFuture.failedFuture(e);
        }
        unanswered.incrementAndGet();
        outcome.whenComplete((reply, failure) -> {
            write(channel, failure == null ? response(r, reply) : failure(r, failure));
            if (unanswered.decrementAndGet() == 0 && untrusted != null) {
                closeAfterWrites(channel);
            }
        });
    }

    /**
     * After a change of this host's TLS credentials: a peer whose certificate the new bundle no longer accepts
     * (its CA was removed) may keep this connection only until its calls are answered. New requests on it are
     * refused as not executed; it closes once the last reply is written. A client that follows the rotation
     * has moved to new connections already; this ends the idle ones of a client that does not.
     */
    void checkTrust(ChannelHandlerContext ctx) {
        if (untrusted != null || server.tls == null || !ctx.channel().isActive()) {
            return;
        }
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        List<X509Certificate> chain = new ArrayList<>();
        try {
            for (Certificate c : ssl.engine().getSession().getPeerCertificates()) {
                chain.add((X509Certificate) c);
            }
        } catch (SSLPeerUnverifiedException e) {
            return; // still in its handshake: ServerTlsGate decides
        }
        if (server.tls.credentials().trusts(chain)) {
            return;
        }
        untrusted = "the certificate of '" + chain.get(0).getSubjectX500Principal().getName()
                + "' is no longer accepted by this host's CA bundle";
        server.closedUntrusted();
        LOG.info("rpc connection from {}: {}; closing once its {} call(s) are answered", peerName, untrusted, unanswered.get());
        if (unanswered.get() == 0) {
            closeAfterWrites(ctx.channel());
        }
    }

    /** Closes after the replies already queued are written (an empty write behind them, then close). */
    private void closeAfterWrites(Channel channel) {
        channel.eventLoop().execute(() -> {
            outbox.run(); // what is queued goes out first
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        });
    }

    private Map<String, String> attributes(Frame.Request r) {
        // The frame's trace field: the caller's span as a traceparent (an older host: its bare trace id).
        return new RpcAttributes(peerAttributes, TraceContext.fromWire(r.traceId()), r.idempotent(), r.durableKey());
    }

    private static Frame response(Frame.Request r, Reply reply) {
        return new Frame.Response(r.id(), reply.version(), reply.attributes(), reply.value(), reply.body(), reply.contentType());
    }

    private Frame failure(Frame.Request r, Throwable failure) {
        Throwable cause = io.cages.host.spi.Failures.cause(failure);
        if (cause instanceof RefusedException c) {
            return refusal(r, c.code(), c.getMessage());
        }
        if (cause instanceof CageException c) {
            return error(r, c.code(), c.getMessage());
        }
        LOG.error("rpc request {} to cage {} '{}' failed outside the cage", r.id(), r.cage(), r.operation(), cause);
        return error(r, ErrorCode.INTERNAL, "host '" + server.hostName + "' failed to run the call; see its log");
    }

    private Frame.Error error(Frame.Request r, ErrorCode code, String message) {
        return new Frame.Error(r.id(), code.name(), message, server.hostName, r.cage(), r.operation(), false);
    }

    /** An error for a call no handler ran: the caller may send it to another copy. */
    private Frame.Error refusal(Frame.Request r, ErrorCode code, String message) {
        return new Frame.Error(r.id(), code.name(), message, server.hostName, r.cage(), r.operation(), true);
    }

    /** Encodes on the calling thread and writes; a reply too large to send becomes an ERROR instead. */
    private void write(Channel channel, Frame frame) {
        ByteBuf out;
        try {
            out = FrameCodec.encode(outbox.alloc(), frame, server.maxFrameBytes);
        } catch (IllegalArgumentException e) {
            LOG.warn("rpc reply {} on {} cannot be sent: {}", frame.id(), channel, e.getMessage());
            out = FrameCodec.encode(outbox.alloc(), new Frame.Error(frame.id(), ErrorCode.INTERNAL.name(),
                    "the reply cannot be sent: " + e.getMessage(), server.hostName, null, null), server.maxFrameBytes);
        }
        // A closed channel fails the write and releases the buffer; the caller has lost the connection anyway.
        outbox.write(out, null);
    }

    private void refuse(ChannelHandlerContext ctx, long requestId, boolean fatal, String reason) {
        server.refused();
        LOG.debug("rpc refused a frame from {} (id {}, {}): {}", peerName, requestId, fatal ? "closing" : "continuing", reason);
        if (closing || !ctx.channel().isActive()) {
            return;
        }
        ByteBuf out = FrameCodec.encode(ctx.alloc(), new Frame.Error(fatal ? 0 : requestId, ErrorCode.BAD_REQUEST.name(),
                reason, server.hostName, null, null), server.maxFrameBytes);
        if (fatal) {
            closing = true;
            ctx.channel().config().setAutoRead(false); // read nothing more from a stream we cannot trust
            ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.writeAndFlush(out, ctx.voidPromise());
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof io.netty.handler.ssl.SslHandshakeCompletionEvent) {
            String host = ctx.channel().attr(ServerTlsGate.PEER_HOST).get();
            if (host != null) {
                // Only the connection sets it: no frame can claim another host's name.
                Map<String, String> withHost = new java.util.HashMap<>(peerAttributes);
                withHost.put(PEER_HOST, host);
                peerAttributes = Map.copyOf(withHost);
            }
            return;
        }
        if (evt instanceof IdleStateEvent) {
            LOG.debug("rpc connection from {} silent past the idle timeout; closing", peerName);
            ctx.close();
            return;
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException && cause.getCause() instanceof TooLongFrameException
                || cause instanceof TooLongFrameException) {
            refuse(ctx, 0, true, "frame exceeds the limit of " + server.maxFrameBytes + " bytes");
            return;
        }
        if (cause instanceof DecoderException) {
            refuse(ctx, 0, true, "undecodable stream: " + FrameCodec.clip(cause.getMessage()));
            return;
        }
        // I/O errors (reset by peer and the like) end the connection; they are the peer's business.
        LOG.debug("rpc connection from {} failed; closing", peerName, cause);
        ctx.close();
    }
}
