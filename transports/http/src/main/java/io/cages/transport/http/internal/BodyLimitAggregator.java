package io.cages.transport.http.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;

/**
 * {@link HttpObjectAggregator} with the body limit answered like every other error: a JSON 413, in request
 * order, then the connection closes (the rest of the oversized body is never read, so the stream cannot be
 * resynchronised).
 *
 * <p>Instead of writing Netty's empty 413 on the spot, the refusal travels down the pipeline as a
 * {@link Rejection} for the {@link ConnectionHandler}, which queues it behind earlier pipelined responses.
 * {@code Expect: 100-continue} with a declared length over the limit is refused the same way, before the
 * client sends the body. A plain {@code 100 Continue} is still written by the aggregator at once; clients
 * that use {@code Expect} wait for it before sending more, so it cannot overtake a response in practice.
 * An unsupported expectation gets Netty's 417 and the connection closes.
 */
final class BodyLimitAggregator extends HttpObjectAggregator {

    BodyLimitAggregator(int maxBodyBytes) {
        super(maxBodyBytes, true);
    }

    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        Object response = super.newContinueResponse(start, maxContentLength, pipeline);
        if (response instanceof HttpResponse http && http.status().code() == HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code()) {
            // Returning null sends the message on to the length check, which calls handleOversizedMessage.
            ReferenceCountUtil.release(response);
            return null;
        }
        return response;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        ctx.fireChannelRead(new Rejection(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "too_large",
                "the request body is larger than the limit of " + maxContentLength() + " bytes",
                oversized.headers().get(Responses.X_REQUEST_ID)));
    }
}
