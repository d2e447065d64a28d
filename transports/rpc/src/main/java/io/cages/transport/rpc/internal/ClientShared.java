package io.cages.transport.rpc.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** What every client connection shares: the event loops, the one deadline timer, the completer, limits. */
public final class ClientShared {

    final EventLoopGroup group;
    final Bootstrap bootstrap;
    /** One timer thread for every call's deadline; cancelled timers leave its queue at once. */
    final ScheduledThreadPoolExecutor timer;
    /** Completes callers' futures on a fresh virtual thread each: cheap, and nothing to shut down. */
    final Executor completer = Thread::startVirtualThread;
    final int maxFrameBytes;
    final long heartbeatIntervalMs;
    final long idleTimeoutMs;

    public ClientShared(int ioThreads, int maxFrameBytes, long heartbeatIntervalMs, long idleTimeoutMs, long connectTimeoutMs) {
        this.maxFrameBytes = maxFrameBytes;
        this.heartbeatIntervalMs = heartbeatIntervalMs;
        this.idleTimeoutMs = idleTimeoutMs;
        group = new NioEventLoopGroup(ioThreads, new DefaultThreadFactory("cages-rpc-client", true));
        bootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeoutMs));
        timer = new ScheduledThreadPoolExecutor(1, new DefaultThreadFactory("cages-rpc-deadlines", true));
        timer.setRemoveOnCancelPolicy(true);
    }

    public Executor completer() {
        return completer;
    }

    public ScheduledThreadPoolExecutor timer() {
        return timer;
    }

    /** Stops the event loops and the timer, waiting at most {@code timeoutMs} for each. */
    public boolean shutdown(long timeoutMs) {
        timer.shutdownNow();
        boolean loops = group.shutdownGracefully(0, timeoutMs, TimeUnit.MILLISECONDS).awaitUninterruptibly(timeoutMs + 1_000);
        try {
            return timer.awaitTermination(timeoutMs, TimeUnit.MILLISECONDS) && loops;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
