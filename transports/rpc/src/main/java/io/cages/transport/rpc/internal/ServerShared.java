package io.cages.transport.rpc.internal;

import io.cages.host.spi.Dispatcher;
import io.cages.transport.rpc.RpcTls;
import java.net.SocketAddress;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.LoggerFactory;

/** What every server connection shares: where to dispatch, whom to name in errors, limits and counters. */
final class ServerShared {

    final Dispatcher dispatcher;
    final String hostName;
    final int maxFrameBytes;
    /** Mutual TLS on every connection, or null: plain TCP. */
    final RpcTls tls;

    // CONCURRENCY: set once by stopAccepting on any thread, read by event loops.
    private volatile boolean draining;

    private final LongAdder refusedFrames = new LongAdder();
    private final LongAdder requests = new LongAdder();
    private final LongAdder refusedConnections = new LongAdder();
    private final LongAdder closedUntrusted = new LongAdder();
    private final RefusalLog refusalLog = new RefusalLog(LoggerFactory.getLogger(Server.class));

    ServerShared(Dispatcher dispatcher, String hostName, int maxFrameBytes) {
        this(dispatcher, hostName, maxFrameBytes, null);
    }

    ServerShared(Dispatcher dispatcher, String hostName, int maxFrameBytes, RpcTls tls) {
        this.dispatcher = dispatcher;
        this.hostName = hostName;
        this.maxFrameBytes = maxFrameBytes;
        this.tls = tls;
    }

    /** A connection refused in its TLS handshake: counted and logged (rate-limited). */
    void refusedConnection(SocketAddress peer, String reason) {
        refusedConnections.increment();
        refusalLog.refused(peer, reason);
    }

    /** Connections refused in their TLS handshake since start. */
    long refusedConnections() {
        return refusedConnections.sum();
    }

    /** A connection closed because the CA that authenticated its peer left the bundle. */
    void closedUntrusted() {
        closedUntrusted.increment();
    }

    long closedUntrustedCount() {
        return closedUntrusted.sum();
    }

    void drain() {
        draining = true;
    }

    boolean draining() {
        return draining;
    }

    void refused() {
        refusedFrames.increment();
    }

    void request() {
        requests.increment();
    }

    /** Frames refused as malformed, too large or unexpected since start. */
    long refusedFrames() {
        return refusedFrames.sum();
    }

    /** REQUEST frames decoded since start (dispatched or answered at once). */
    long requests() {
        return requests.sum();
    }
}
