package io.cages.transport.http.internal;

import io.cages.host.HostConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The cage listener's real pipeline on an {@link EmbeddedChannel}: raw request bytes in, raw response bytes
 * out. Dispatcher futures must be completed on the test thread (an embedded event loop is the caller's).
 */
final class EmbeddedHttp implements AutoCloseable {

    final FakeDispatcher dispatcher = new FakeDispatcher();
    final EmbeddedChannel channel;
    private final StringBuilder wire = new StringBuilder();

    EmbeddedHttp() {
        this(HostConfig.Http.ephemeral(), () -> false);
    }

    EmbeddedHttp(HostConfig.Http settings) {
        this(settings, () -> false);
    }

    EmbeddedHttp(HostConfig.Http settings, BooleanSupplier draining) {
        channel = new EmbeddedChannel(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                HttpPipelines.cage(ch.pipeline(), settings, dispatcher, draining);
            }
        });
    }

    void send(String raw) {
        send(raw.getBytes(StandardCharsets.ISO_8859_1));
    }

    void send(byte[] raw) {
        channel.writeInbound(Unpooled.wrappedBuffer(raw));
    }

    /** Every complete response written so far. */
    List<RawResponse> responses() {
        channel.runPendingTasks();
        ByteBuf out;
        while ((out = channel.readOutbound()) != null) {
            try {
                wire.append(out.toString(StandardCharsets.ISO_8859_1));
            } finally {
                out.release();
            }
        }
        List<RawResponse> parsed = new ArrayList<>();
        int consumed = RawResponse.parse(wire.toString(), parsed);
        wire.delete(0, consumed);
        return parsed;
    }

    /** The one response written since the last call; fails if there is none or more than one. */
    RawResponse response() {
        List<RawResponse> all = responses();
        if (all.size() != 1) {
            throw new AssertionError("expected one response, got " + all);
        }
        return all.get(0);
    }

    /** A request with the given method, target and optional body. */
    static String request(String method, String target, String contentType, String body, String... headers) {
        StringBuilder raw = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: test\r\n");
        for (int i = 0; i < headers.length; i += 2) {
            raw.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        if (contentType != null) {
            raw.append("Content-Type: ").append(contentType).append("\r\n");
        }
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (body != null) {
            raw.append("Content-Length: ").append(bytes.length).append("\r\n");
        }
        raw.append("\r\n");
        return raw + new String(bytes, StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        channel.finishAndReleaseAll();
    }
}
