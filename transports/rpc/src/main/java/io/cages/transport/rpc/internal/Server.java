package io.cages.transport.rpc.internal;

import io.cages.host.spi.Dispatcher;
import io.cages.transport.rpc.RpcSettings;
import io.cages.transport.rpc.RpcTls;
import io.cages.transport.rpc.RpcTransport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening side's engine behind {@link io.cages.transport.rpc.RpcTransport}, and the only public class
 * of this package on that side: the event loops, the listener and the connections it accepted.
 */
public final class Server {

    private static final Logger LOG = LoggerFactory.getLogger(Server.class);
    private static final long SHUTDOWN_TIMEOUT_MS = 5_000;

    private final ServerShared shared;
    private final EventLoopGroup acceptors;
    private final EventLoopGroup workers;
    private final ChannelGroup connections;
    private final Channel listener;

    private Server(ServerShared shared, EventLoopGroup acceptors, EventLoopGroup workers, ChannelGroup connections, Channel listener) {
        this.shared = shared;
        this.acceptors = acceptors;
        this.workers = workers;
        this.connections = connections;
        this.listener = listener;
    }

    /** Listens on the settings' address and port; requests go to {@code dispatcher}, errors name {@code hostName}. */
    public static Server start(Dispatcher dispatcher, String hostName, RpcSettings settings) {
        return start(dispatcher, hostName, settings, null);
    }

    /** As the other {@code start}; with {@code tls} (null: plain TCP) every connection is mutual TLS. */
    public static Server start(Dispatcher dispatcher, String hostName, RpcSettings settings, RpcTls tls) {
        ServerShared shared = new ServerShared(dispatcher, hostName, settings.maxFrameBytes(), tls);
        EventLoopGroup acceptors = new NioEventLoopGroup(1, new DefaultThreadFactory("cages-rpc-accept", true));
        EventLoopGroup workers = new NioEventLoopGroup(settings.ioThreads(), new DefaultThreadFactory("cages-rpc-server", true));
        ChannelGroup connections = new DefaultChannelGroup("rpc-connections", GlobalEventExecutor.INSTANCE);
        try {
            Channel listener = new ServerBootstrap()
                    .group(acceptors, workers)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ServerPipeline(shared, connections, settings.idleTimeoutMs()))
                    .bind(settings.bindAddress(), settings.port())
                    .sync()
                    .channel();
            if (tls != null) {
                // A CA removed from the bundle: connections its certificates authenticated end (ServerConnectionHandler#checkTrust).
                tls.onChange(() -> connections.forEach(Server::checkTrust));
            }
            return new Server(shared, acceptors, workers, connections, listener);
        } catch (Exception e) {
            shutdown(acceptors);
            shutdown(workers);
            throw new IllegalStateException("rpc transport cannot listen on " + settings.bindAddress() + ":" + settings.port() + ": " + e, e);
        }
    }

    /** The address the server listens on (with the actual port when 0 was asked for). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) listener.localAddress();
    }

    /** Frames refused as malformed, oversized or unexpected since start. */
    public long refusedFrames() {
        return shared.refusedFrames();
    }

    /** REQUEST frames received since start. */
    public long requests() {
        return shared.requests();
    }

    /** Connections refused in their TLS handshake since start (always 0 without TLS). */
    public long refusedConnections() {
        return shared.refusedConnections();
    }

    /** Connections closed since start because the CA that authenticated their peer left the bundle. */
    public long closedUntrusted() {
        return shared.closedUntrustedCount();
    }

    /** The open connections that completed their TLS handshake: the certificates each side presented. */
    public List<RpcTransport.TlsConnection> tlsConnections() {
        List<RpcTransport.TlsConnection> out = new ArrayList<>();
        for (Channel ch : connections) {
            SslHandler ssl = ch.pipeline().get(SslHandler.class);
            if (ssl == null || !ch.isActive() || !ssl.handshakeFuture().isSuccess()) {
                continue;
            }
            SSLSession session = ssl.engine().getSession();
            try {
                Certificate[] peer = session.getPeerCertificates();
                Certificate[] local = session.getLocalCertificates();
                if (peer.length > 0 && local != null && local.length > 0) {
                    out.add(new RpcTransport.TlsConnection((X509Certificate) peer[0], (X509Certificate) local[0]));
                }
            } catch (SSLPeerUnverifiedException e) {
                // closing after a failed check: not a connection of the flock
            }
        }
        return out;
    }

    private static void checkTrust(Channel ch) {
        ChannelHandlerContext ctx = ch.pipeline().context(ServerConnectionHandler.class);
        if (ctx != null) {
            ch.eventLoop().execute(() -> ((ServerConnectionHandler) ctx.handler()).checkTrust(ctx));
        }
    }

    /** Closes the listener; new requests on open connections are answered UNAVAILABLE, dispatched ones still answer. */
    public void stopAccepting() {
        shared.drain();
        if (!listener.close().awaitUninterruptibly(SHUTDOWN_TIMEOUT_MS)) {
            LOG.warn("rpc listener did not close within {} ms", SHUTDOWN_TIMEOUT_MS);
        }
    }

    /** Stops accepting, closes every connection and stops the event loops. */
    public void close() {
        stopAccepting();
        if (!connections.close().awaitUninterruptibly(SHUTDOWN_TIMEOUT_MS)) {
            LOG.warn("rpc connections did not close within {} ms", SHUTDOWN_TIMEOUT_MS);
        }
        shutdown(acceptors);
        shutdown(workers);
    }

    private static void shutdown(EventLoopGroup group) {
        if (!group.shutdownGracefully(0, SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS).awaitUninterruptibly(SHUTDOWN_TIMEOUT_MS + 1_000)) {
            LOG.warn("rpc event loops did not stop within {} ms", SHUTDOWN_TIMEOUT_MS);
        }
    }
}
