package io.cages.transport.rpc;

/**
 * Settings of the RPC transport (server side) and of {@link RpcClient}. Validated once, when built; both
 * sides of a connection use the same heartbeat rule, so a host's server and client agree on it.
 *
 * @param bindAddress         address the server listens on ({@code 0.0.0.0}: all interfaces)
 * @param port                server port; 0 picks a free one (see {@link RpcTransport#localAddress()})
 * @param maxFrameBytes       largest frame accepted or sent, length prefix excluded; a larger incoming one
 *                            closes the connection, a larger outgoing one fails its call
 * @param heartbeatIntervalMs a client pings a connection it has not heard from for this long
 * @param idleTimeoutMs       a connection silent for this long is closed: by the client (its calls fail as
 *                            delivered, connection lost) and by the server (nothing was pending on it)
 * @param connectionsPerPeer  client connections per peer, used round-robin; each multiplexes its calls
 * @param connectTimeoutMs    a connect attempt that takes longer fails the call as not delivered
 * @param ioThreads           Netty event loop threads (of the server; the client has its own)
 */
public record RpcSettings(
        String bindAddress,
        int port,
        int maxFrameBytes,
        long heartbeatIntervalMs,
        long idleTimeoutMs,
        int connectionsPerPeer,
        long connectTimeoutMs,
        int ioThreads) {

    public static final int DEFAULT_PORT = 7070;
    public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
    /** Frames below this cannot carry a request with names at their limits; a smaller limit is a mistake. */
    static final int MIN_FRAME_BYTES = 4096;

    public RpcSettings {
        if (bindAddress == null || bindAddress.isBlank()) {
            throw new IllegalArgumentException("bindAddress: must be set (0.0.0.0 for all interfaces)");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port: " + port + " is not a TCP port (0 picks a free one)");
        }
        if (maxFrameBytes < MIN_FRAME_BYTES) {
            throw new IllegalArgumentException("maxFrameBytes: " + maxFrameBytes + " is below the minimum of " + MIN_FRAME_BYTES);
        }
        if (heartbeatIntervalMs <= 0) {
            throw new IllegalArgumentException("heartbeatIntervalMs: must be positive, was " + heartbeatIntervalMs);
        }
        if (idleTimeoutMs < 2 * heartbeatIntervalMs) {
            throw new IllegalArgumentException("idleTimeoutMs: " + idleTimeoutMs + " must be at least twice heartbeatIntervalMs ("
                    + heartbeatIntervalMs + "), or a healthy idle connection could be closed between two pings");
        }
        if (connectionsPerPeer < 1) {
            throw new IllegalArgumentException("connectionsPerPeer: must be at least 1, was " + connectionsPerPeer);
        }
        if (connectTimeoutMs <= 0) {
            throw new IllegalArgumentException("connectTimeoutMs: must be positive, was " + connectTimeoutMs);
        }
        if (ioThreads < 1) {
            throw new IllegalArgumentException("ioThreads: must be at least 1, was " + ioThreads);
        }
    }

    /** Port 7070 on all interfaces, 16 MiB frames, 1 s heartbeats, 3 s idle timeout, 2 connections per peer. */
    public static RpcSettings defaults() {
        return new RpcSettings("0.0.0.0", DEFAULT_PORT, DEFAULT_MAX_FRAME_BYTES, 1_000, 3_000, 2, 2_000,
                Math.min(4, Runtime.getRuntime().availableProcessors()));
    }

    public RpcSettings withBind(String address, int port) {
        return new RpcSettings(address, port, maxFrameBytes, heartbeatIntervalMs, idleTimeoutMs, connectionsPerPeer, connectTimeoutMs, ioThreads);
    }

    public RpcSettings withMaxFrameBytes(int value) {
        return new RpcSettings(bindAddress, port, value, heartbeatIntervalMs, idleTimeoutMs, connectionsPerPeer, connectTimeoutMs, ioThreads);
    }

    public RpcSettings withHeartbeat(long intervalMs, long idleMs) {
        return new RpcSettings(bindAddress, port, maxFrameBytes, intervalMs, idleMs, connectionsPerPeer, connectTimeoutMs, ioThreads);
    }

    public RpcSettings withConnectionsPerPeer(int value) {
        return new RpcSettings(bindAddress, port, maxFrameBytes, heartbeatIntervalMs, idleTimeoutMs, value, connectTimeoutMs, ioThreads);
    }

    public RpcSettings withConnectTimeoutMs(long value) {
        return new RpcSettings(bindAddress, port, maxFrameBytes, heartbeatIntervalMs, idleTimeoutMs, connectionsPerPeer, value, ioThreads);
    }

    public RpcSettings withIoThreads(int value) {
        return new RpcSettings(bindAddress, port, maxFrameBytes, heartbeatIntervalMs, idleTimeoutMs, connectionsPerPeer, connectTimeoutMs, value);
    }
}
