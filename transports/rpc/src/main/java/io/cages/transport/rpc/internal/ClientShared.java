package io.cages.transport.rpc.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timer;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/** What every client connection shares: the event loops, the one deadline timer, the completers, limits. */
final class ClientShared {

    /** Deadline precision: a call that gets no answer fails at most this much after its deadline. */
    static final long DEADLINE_TICK_MS = 5;

    final EventLoopGroup group;
    final Bootstrap bootstrap;
    /**
     * Every call's deadline. A hashed wheel, as the host's dispatcher uses: scheduling and cancelling are
     * lock-free queue operations that never wake its thread, where a scheduled executor woke its thread on
     * every call of a sequential caller (each new deadline became the head of an empty queue), at the price
     * of firing up to one tick late.
     */
    final HashedWheelTimer timer;
    /** Completes callers' futures on a fresh virtual thread each: cheap, and nothing to shut down. */
    final Executor completer = Thread::startVirtualThread;
    /** Completes futures on the thread that decided them, for callers whose stages never block. */
    static final Executor DIRECT = Runnable::run;
    final int maxFrameBytes;
    final long heartbeatIntervalMs;
    final long idleTimeoutMs;
    /** Mutual TLS on every connection, or null: plain TCP. */
    final io.cages.transport.rpc.RpcTls tls;
    /** Connections closed after their calls were answered because the TLS credentials changed (see PeerPool#drainStale). */
    final java.util.concurrent.atomic.LongAdder drained = new java.util.concurrent.atomic.LongAdder();

    ClientShared(int ioThreads, int maxFrameBytes, long heartbeatIntervalMs, long idleTimeoutMs, long connectTimeoutMs) {
        this(ioThreads, maxFrameBytes, heartbeatIntervalMs, idleTimeoutMs, connectTimeoutMs, null);
    }

    ClientShared(int ioThreads, int maxFrameBytes, long heartbeatIntervalMs, long idleTimeoutMs, long connectTimeoutMs,
                 io.cages.transport.rpc.RpcTls tls) {
        this.tls = tls;
        this.maxFrameBytes = maxFrameBytes;
        this.heartbeatIntervalMs = heartbeatIntervalMs;
        this.idleTimeoutMs = idleTimeoutMs;
        group = new NioEventLoopGroup(ioThreads, new DefaultThreadFactory("cages-rpc-client", true));
        bootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeoutMs));
        timer = new HashedWheelTimer(new DefaultThreadFactory("cages-rpc-deadlines", true), DEADLINE_TICK_MS, TimeUnit.MILLISECONDS, 512);
    }

    /**
     * Where a call's future is completed: on a virtual thread, or with {@code direct} on the thread that
     * decided the outcome (an event loop or the deadline timer), for callers whose stages never block.
     */
    Executor completer(boolean direct) {
        return direct ? DIRECT : completer;
    }

    /** The TLS credentials' generation new connections get (0 without TLS): an older connection is drained. */
    long tlsGeneration() {
        return tls == null ? 0 : tls.generation();
    }

    Timer timer() {
        return timer;
    }

    /** Stops the event loops and the timer, waiting at most {@code timeoutMs} for the loops. */
    boolean shutdown(long timeoutMs) {
        timer.stop(); // waits for its thread to end; pending deadlines are dropped (their calls fail as the connections close)
        return group.shutdownGracefully(0, timeoutMs, TimeUnit.MILLISECONDS).awaitUninterruptibly(timeoutMs + 1_000);
    }
}
