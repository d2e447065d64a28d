package io.cages.transport.http.internal;

import io.cages.host.admin.Admin;
import io.cages.host.spi.Dispatcher;
import io.cages.host.HostConfig;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The handler chains of both listeners, in one place so that tests drive the very same pipeline through an
 * {@code EmbeddedChannel}: idle timeout, HTTP codec with the configured line and header limits, body
 * aggregation with its limit, then the listener's {@link ConnectionHandler}.
 */
final class HttpPipelines {

    /** Deploys upload whole jars, so the admin listener's body limit is at least this. */
    static final int MIN_ADMIN_BODY_BYTES = 64 * 1024 * 1024;

    private HttpPipelines() {
    }

    static void cage(ChannelPipeline pipeline, HostConfig.Http settings, Dispatcher dispatcher, BooleanSupplier draining) {
        common(pipeline, settings, settings.maxBodyBytes());
        pipeline.addLast("cages", new CageRequestHandler(dispatcher, draining));
    }

    static void admin(ChannelPipeline pipeline, HostConfig.Http settings, Admin admin, Dispatcher dispatcher, BooleanSupplier draining) {
        admin(pipeline, settings, admin, AdminAccess.of(settings), dispatcher, draining);
    }

    static void admin(ChannelPipeline pipeline, HostConfig.Http settings, Admin admin, AdminAccess access, Dispatcher dispatcher,
                      BooleanSupplier draining) {
        common(pipeline, settings, Math.max(settings.maxBodyBytes(), MIN_ADMIN_BODY_BYTES));
        pipeline.addLast("admin", new AdminRequestHandler(admin, access, dispatcher::newRequestId, draining));
    }

    private static void common(ChannelPipeline pipeline, HostConfig.Http settings, int maxBodyBytes) {
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(settings.maxInitialLineBytes())
                .setMaxHeaderSize(settings.maxHeaderBytes());
        pipeline.addLast("idle", new IdleStateHandler(0, 0, settings.idleTimeoutSeconds(), TimeUnit.SECONDS));
        pipeline.addLast("codec", new HttpServerCodec(decoder));
        pipeline.addLast("body", new BodyLimitAggregator(maxBodyBytes));
    }
}
