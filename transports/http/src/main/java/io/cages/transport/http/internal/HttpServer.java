package io.cages.transport.http.internal;

import io.cages.host.admin.Admin;
import io.cages.host.spi.Dispatcher;
import io.cages.host.HostConfig;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two listeners of the HTTP transport on Netty's NIO transport (portable; the cost that matters here is
 * the dispatcher's, not the selector's). Public only so that {@code HttpTransport} can reach it across
 * packages; not API.
 *
 * <p>Listening sockets live on an accept loop of their own, apart from the connections' event loops. With
 * NIO a closed server channel keeps its socket listening until its selector next runs (the JDK closes a
 * registered channel's descriptor only on deregistration), so {@link #stopAccepting} also terminates the
 * accept loop, which closes its selector: when it returns, new connections are refused, not reset later.
 *
 * <p>Lifecycle: {@link #start} once; {@link #stopAccepting} closes the listening sockets while open
 * connections keep being served (each closes after its last answer); {@link #close} closes every connection
 * and stops the event loops, each step bounded in time.
 */
public final class HttpServer {

    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);

    private static final long BIND_TIMEOUT_SECONDS = 10;
    private static final long CLOSE_TIMEOUT_SECONDS = 2;
    private static final long SHUTDOWN_TIMEOUT_SECONDS = 5;

    private final HostConfig.Http settings;
    private final Dispatcher dispatcher;
    private final Admin admin;
    /** Every open connection of both listeners, so close() can reach them; closed channels leave by themselves. */
    private final ChannelGroup connections = new DefaultChannelGroup("cages-http", GlobalEventExecutor.INSTANCE);

    /** Read on every response: once set, connections close after their last answer. */
    private volatile boolean draining;

    // CONCURRENCY: written by start() and close(), which the host calls from one thread in order.
    private EventLoopGroup acceptLoop;
    private EventLoopGroup group;
    private volatile Channel listener;
    private volatile Channel adminListener;

    public HttpServer(HostConfig.Http settings, Dispatcher dispatcher, Admin admin) {
        this.settings = settings;
        this.dispatcher = dispatcher;
        this.admin = admin;
    }

    /** Binds the cage listener and, unless {@code adminPort} is -1, the admin listener. */
    public void start() throws IOException {
        AdminAccess access = AdminAccess.of(settings); // before anything binds: refuses an open admin listener
        int threads = settings.ioThreads() == 0 ? Runtime.getRuntime().availableProcessors() : settings.ioThreads();
        acceptLoop = new NioEventLoopGroup(1, new DefaultThreadFactory("cages-http-accept", true));
        group = new NioEventLoopGroup(threads, new DefaultThreadFactory("cages-http", true));
        try {
            listener = bind("cage", settings.bind(), settings.port(),
                    pipeline -> HttpPipelines.cage(pipeline, settings, dispatcher, this::isDraining));
            if (settings.adminPort() != -1) {
                adminListener = bind("admin", settings.adminBind(), settings.adminPort(),
                        pipeline -> HttpPipelines.admin(pipeline, settings, admin, access, dispatcher, this::isDraining));
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        LOG.info("HTTP listening on {}:{} ({} event loops){}", settings.bind(), port(), threads,
                adminListener == null ? ", admin disabled" : ", admin on " + settings.adminBind() + ":" + adminPort());
    }

    private Channel bind(String name, String host, int port, Consumer<io.netty.channel.ChannelPipeline> pipeline) throws IOException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptLoop, group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        connections.add(channel);
                        pipeline.accept(channel.pipeline());
                    }
                });
        ChannelFuture bound = bootstrap.bind(host, port);
        if (!bound.awaitUninterruptibly(BIND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            bound.cancel(false);
            throw new IOException("HTTP " + name + " listener: binding " + host + ":" + port + " took over " + BIND_TIMEOUT_SECONDS + " s");
        }
        if (!bound.isSuccess()) {
            throw new IOException("HTTP " + name + " listener: cannot bind " + host + ":" + port + ": " + bound.cause(), bound.cause());
        }
        return bound.channel();
    }

    /** The bound cage listener port, or -1 before start. */
    public int port() {
        return portOf(listener);
    }

    /** The bound admin listener port, or -1 when disabled or before start. */
    public int adminPort() {
        return portOf(adminListener);
    }

    /** The address the admin listener is bound to, or null when disabled or before start. */
    public InetSocketAddress adminAddress() {
        Channel channel = adminListener;
        return channel != null && channel.localAddress() instanceof InetSocketAddress address ? address : null;
    }

    private static int portOf(Channel channel) {
        return channel != null && channel.localAddress() instanceof InetSocketAddress address ? address.getPort() : -1;
    }

    private boolean isDraining() {
        return draining;
    }

    /** Closes the listening sockets; open connections keep being served and close after their last answer. */
    public void stopAccepting() {
        draining = true;
        closeListener(listener, "cage");
        closeListener(adminListener, "admin");
        shutdown(acceptLoop, "accept loop");
    }

    private static void closeListener(Channel channel, String name) {
        if (channel != null && channel.isOpen()
                && !channel.close().awaitUninterruptibly(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            LOG.warn("HTTP {} listener did not close within {} s", name, CLOSE_TIMEOUT_SECONDS);
        }
    }

    /** Closes listeners and connections and stops the event loops; bounded in time, logged when a bound is hit. */
    public void close() {
        stopAccepting();
        if (!connections.close().awaitUninterruptibly(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            LOG.warn("HTTP connections did not all close within {} s", CLOSE_TIMEOUT_SECONDS);
        }
        shutdown(group, "event loops");
    }

    private static void shutdown(EventLoopGroup loops, String name) {
        if (loops != null && !loops.isShuttingDown()
                && !loops.shutdownGracefully(0, CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                        .awaitUninterruptibly(SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            LOG.warn("HTTP {} did not stop within {} s", name, SHUTDOWN_TIMEOUT_SECONDS);
        }
    }
}
