package io.cages.transport.rpc;

import io.cages.host.spi.Transport;
import io.cages.host.spi.TransportContext;
import io.cages.transport.rpc.internal.ServerPipeline;
import io.cages.transport.rpc.internal.ServerShared;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RPC transport, server side: binds a TCP port and turns REQUEST frames (FORMAT.md) into requests for
 * the host's dispatcher, answering each with a RESPONSE or ERROR frame of the same id. Requests on one
 * connection run concurrently and are answered in completion order.
 *
 * <p>The caller's remaining deadline becomes the request's deadline; a request arriving with 0 ms left is
 * answered DEADLINE_EXCEEDED without being dispatched. Errors carry the code, message, this host's name and
 * the cage and operation, never a stack trace.
 */
public final class RpcTransport implements Transport {

    private static final Logger LOG = LoggerFactory.getLogger(RpcTransport.class);
    private static final long SHUTDOWN_TIMEOUT_MS = 5_000;

    private final RpcSettings settings;

    // CONCURRENCY: written by start() and close() on the host's thread; volatile for readers elsewhere.
    private volatile ServerShared server;
    private volatile Channel listener;
    private EventLoopGroup acceptors;
    private EventLoopGroup workers;
    private ChannelGroup connections;

    /** With {@link RpcSettings#defaults()}: port 7070 on all interfaces. */
    public RpcTransport() {
        this(RpcSettings.defaults());
    }

    public RpcTransport(RpcSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    public String name() {
        return "rpc";
    }

    @Override
    public void start(TransportContext context) throws Exception {
        if (server != null) {
            throw new IllegalStateException("the rpc transport is already started");
        }
        server = new ServerShared(context.dispatcher(), context.config().name(), settings.maxFrameBytes());
        acceptors = new NioEventLoopGroup(1, new DefaultThreadFactory("cages-rpc-accept", true));
        workers = new NioEventLoopGroup(settings.ioThreads(), new DefaultThreadFactory("cages-rpc-server", true));
        connections = new DefaultChannelGroup("rpc-connections", GlobalEventExecutor.INSTANCE);
        try {
            listener = new ServerBootstrap()
                    .group(acceptors, workers)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ServerPipeline(server, connections, settings.idleTimeoutMs()))
                    .bind(settings.bindAddress(), settings.port())
                    .sync()
                    .channel();
        } catch (Exception e) {
            close();
            throw new IllegalStateException("rpc transport cannot listen on " + settings.bindAddress() + ":" + settings.port() + ": " + e, e);
        }
        LOG.info("rpc transport listening on {}", listener.localAddress());
    }

    /** The address the server listens on (with the actual port when 0 was asked for). */
    public InetSocketAddress localAddress() {
        Channel channel = listener;
        if (channel == null) {
            throw new IllegalStateException("the rpc transport is not started");
        }
        return (InetSocketAddress) channel.localAddress();
    }

    /** Frames refused as malformed, oversized or unexpected since start. */
    public long refusedFrames() {
        ServerShared shared = server;
        return shared == null ? 0 : shared.refusedFrames();
    }

    /** REQUEST frames received since start. */
    public long requests() {
        ServerShared shared = server;
        return shared == null ? 0 : shared.requests();
    }

    public RpcSettings settings() {
        return settings;
    }

    /**
     * Closes the listener and answers new requests on open connections with UNAVAILABLE ("not executed");
     * replies to requests already dispatched are still written.
     */
    @Override
    public void stopAccepting() {
        ServerShared shared = server;
        if (shared != null) {
            shared.drain();
        }
        Channel channel = listener;
        if (channel != null && !channel.close().awaitUninterruptibly(SHUTDOWN_TIMEOUT_MS)) {
            LOG.warn("rpc listener did not close within {} ms", SHUTDOWN_TIMEOUT_MS);
        }
    }

    @Override
    public void close() {
        stopAccepting();
        if (connections != null && !connections.close().awaitUninterruptibly(SHUTDOWN_TIMEOUT_MS)) {
            LOG.warn("rpc connections did not close within {} ms", SHUTDOWN_TIMEOUT_MS);
        }
        shutdown(acceptors);
        shutdown(workers);
    }

    private static void shutdown(EventLoopGroup group) {
        if (group != null && !group.shutdownGracefully(0, SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .awaitUninterruptibly(SHUTDOWN_TIMEOUT_MS + 1_000)) {
            LOG.warn("rpc event loops did not stop within {} ms", SHUTDOWN_TIMEOUT_MS);
        }
    }
}
