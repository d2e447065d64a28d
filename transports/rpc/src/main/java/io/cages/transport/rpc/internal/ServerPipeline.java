package io.cages.transport.rpc.internal;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/** With mutual TLS the TLS handler and its gate first; then idle timeout, length framing, then the connection handler; every connection joins {@code open}. */
final class ServerPipeline extends ChannelInitializer<SocketChannel> {

    private final ServerShared server;
    private final ChannelGroup open;
    private final long idleTimeoutMs;

    ServerPipeline(ServerShared server, ChannelGroup open, long idleTimeoutMs) {
        this.server = server;
        this.open = open;
        this.idleTimeoutMs = idleTimeoutMs;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        open.add(ch);
        if (server.tls != null) {
            // First in line: nothing behind it sees a byte before the peer authenticated (ServerTlsGate).
            ch.pipeline()
                    .addLast("tls", server.tls.serverContext().newHandler(ch.alloc()))
                    .addLast("tls-gate", new ServerTlsGate(server));
        }
        ch.pipeline()
                .addLast("idle", new IdleStateHandler(idleTimeoutMs, 0, 0, TimeUnit.MILLISECONDS))
                .addLast("frames", framer(server.maxFrameBytes))
                .addLast("rpc", new ServerConnectionHandler(server, ch));
    }

    /** Frames of at most {@code maxFrameBytes} after the 4-byte length; fails fast on a longer length. */
    static LengthFieldBasedFrameDecoder framer(int maxFrameBytes) {
        return new LengthFieldBasedFrameDecoder(maxFrameBytes + FrameCodec.LENGTH_BYTES, 0, FrameCodec.LENGTH_BYTES, 0,
                FrameCodec.LENGTH_BYTES);
    }
}
