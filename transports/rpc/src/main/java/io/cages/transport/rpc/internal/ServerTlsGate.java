package io.cages.transport.rpc.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.AttributeKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import io.cages.transport.rpc.HostCredentials;

/**
 * Sits right behind the server's SslHandler. Until the handshake succeeded nothing passes it (the framer and
 * the connection handler behind it see no byte of a peer that did not authenticate); a failed handshake (a
 * certificate from another CA or flock, no certificate, plain TCP) is logged, rate-limited, and closes the
 * connection. On success the peer's host name, from its certificate, is kept as the channel's
 * {@link #PEER_HOST} (the request attribute {@code peer.host}).
 */
final class ServerTlsGate extends ChannelInboundHandlerAdapter {

    /** The authenticated peer's host name (the CN of its certificate); set once its handshake succeeded. */
    static final AttributeKey<String> PEER_HOST = AttributeKey.valueOf("cages.rpc.peer.host");

    private final ServerShared server;
    // CONCURRENCY: event loop only.
    private boolean open;
    private boolean refused;

    ServerTlsGate(ServerShared server) {
        this.server = server;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent done) {
            if (done.isSuccess()) {
                String host = peerHost(ctx);
                if (host == null) {
                    refuse(ctx, "its certificate names no host");
                    return;
                }
                ctx.channel().attr(PEER_HOST).set(host);
                open = true;
            } else {
                refuse(ctx, reason(done.cause()));
                return;
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!open) {
            io.netty.util.ReferenceCountUtil.release(msg); // cannot happen after a failed handshake; kept as a guard
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!open) {
            // The handshake failure event says why (and is logged); the stream itself is no one's business.
            refuse(ctx, reason(cause));
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    private void refuse(ChannelHandlerContext ctx, String reason) {
        if (!refused) {
            refused = true;
            server.refusedConnection(ctx.channel().remoteAddress(), reason);
        }
        ctx.close();
    }

    private static String peerHost(ChannelHandlerContext ctx) {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        try {
            Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x ? HostCredentials.hostOf(x) : null;
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    static String reason(Throwable cause) {
        Throwable c = cause;
        while (c.getCause() != null && c.getCause() != c && c.getMessage() == null) {
            c = c.getCause();
        }
        if (c instanceof io.netty.handler.codec.DecoderException && c.getCause() != null) {
            c = c.getCause();
        }
        String message = c.getMessage() != null ? c.getMessage() : c.getClass().getSimpleName();
        if (c instanceof io.netty.handler.ssl.NotSslRecordException) {
            message = "not TLS (a plain TCP client?)";
        }
        // OpenSSL names only its verify error; why the trust manager refused (the PKIX or the flock check) is in
        // the cause. The JDK's message already carries it, so it stays as it was.
        for (Throwable t = cause; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof java.security.cert.CertificateException refusal && refusal.getMessage() != null) {
                if (!message.contains(refusal.getMessage())) {
                    message = message + " (" + refusal.getMessage() + ")";
                }
                break;
            }
        }
        return FrameCodec.clip(message);
    }
}
