package io.cages.transport.http.internal;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP/1.1 connection rules both listeners share, so subclasses only map a request to a response.
 *
 * <ul>
 *   <li><b>Order.</b> Requests are taken as they arrive (pipelined ones too) and may complete in any order on
 *   other threads, but responses are written strictly in request order: each request gets an
 *   {@link Exchange} in a per-connection queue, and a response leaves only when every earlier one has.
 *   Pipelined requests therefore run concurrently and still answer in order.</li>
 *   <li><b>Bounds.</b> At most {@link #MAX_PIPELINED} requests wait for responses per connection, and nothing
 *   is read while the outbound buffer is above its high-water mark: reading pauses (autoRead off) and
 *   resumes when responses leave. A client that sends without reading cannot grow the server's memory.</li>
 *   <li><b>Keep-alive.</b> {@link HttpUtil#isKeepAlive} decides; a request that ends the connection
 *   ({@code Connection: close}, HTTP/1.0 without keep-alive) makes the connection ignore anything after it
 *   and close once its response is written. Protocol errors (decoder failures, oversized bodies, a version
 *   other than HTTP/1.x, answered 505) close too: the byte stream can no longer be trusted. After {@code stopAccepting} the response that empties the
 *   queue closes the connection, so clients move on while in-flight requests still get their answers.</li>
 *   <li><b>Idle.</b> An {@link IdleStateEvent} closes the connection only when no request is in flight, so a
 *   slow handler is bounded by its deadline, not by the idle timeout.</li>
 *   <li><b>Streams.</b> A streamed response ({@link StreamedResponse}) starts when it is next in line and holds
 *   the responses after it back until it ends; one cut short closes the connection.</li>
 * </ul>
 *
 * <p>CONCURRENCY: all fields are confined to the channel's event loop. {@link #respond} is the one method
 * other threads may call; it hops to the event loop.
 */
abstract class ConnectionHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionHandler.class);

    /** Requests read ahead of their responses on one connection before reading pauses. */
    static final int MAX_PIPELINED = 32;

    private static final int MAX_ECHO = 200;

    private final Supplier<String> newRequestId;
    private final BooleanSupplier draining;

    private final ArrayDeque<Exchange> queue = new ArrayDeque<>(4);
    private ChannelHandlerContext ctx;
    /** A request that ends the connection is queued: later requests are dropped unanswered. */
    private boolean closing;
    /** The closing response was written or the channel is gone: late responses are released, not written. */
    private boolean finished;
    /** Whether autoRead is on; tracked to touch the channel config only on changes. */
    private boolean reading = true;
    /** The exchange whose streamed response is being written, or null. */
    private Exchange streaming;

    /**
     * @param newRequestId source of ids for requests without a usable {@code X-Request-Id}
     * @param draining     true once the transport stopped accepting: connections close after their last answer
     */
    ConnectionHandler(Supplier<String> newRequestId, BooleanSupplier draining) {
        this.newRequestId = newRequestId;
        this.draining = draining;
    }

    /**
     * Maps one well-formed request to a response by calling {@link #respond} exactly once, now or later from
     * any thread. The request is released when this returns: copy what is needed before going async.
     */
    protected abstract void serve(ChannelHandlerContext ctx, FullHttpRequest request, Exchange exchange);

    /** Hands over the response of {@code exchange}; callable from any thread. Takes ownership of {@code response}. */
    protected final void respond(Exchange exchange, FullHttpResponse response) {
        EventExecutor loop = ctx.executor();
        if (loop.inEventLoop()) {
            complete(exchange, response);
            return;
        }
        try {
            loop.execute(() -> complete(exchange, response));
        } catch (RejectedExecutionException e) {
            // The event loop is shut down, so the connection is gone: nobody is left to answer.
            response.release();
        }
    }

    /** Hands over a streamed response of {@code exchange}; callable from any thread. */
    protected final void respond(Exchange exchange, StreamedResponse streamed) {
        EventExecutor loop = ctx.executor();
        if (loop.inEventLoop()) {
            complete(exchange, streamed);
            return;
        }
        try {
            loop.execute(() -> complete(exchange, streamed));
        } catch (RejectedExecutionException e) {
            streamed.cancel("the client disconnected (the server is closing its connections)");
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest request) {
            try {
                onRequest(request);
            } finally {
                request.release();
            }
        } else if (msg instanceof Rejection rejection) {
            if (!closing) {
                refuse(checkedId(rejection.rawRequestId()), rejection.status(), rejection.error(), rejection.message());
            }
        } else {
            LOG.debug("dropping unexpected message {} on {}", msg.getClass().getName(), ctx.channel());
            ReferenceCountUtil.release(msg);
        }
    }

    private void onRequest(FullHttpRequest request) {
        if (closing) {
            return;
        }
        String id = checkedId(request.headers().get(Responses.X_REQUEST_ID));
        DecoderResult result = request.decoderResult();
        if (result.isFailure()) {
            refuseMalformed(id, result.cause());
            return;
        }
        HttpVersion version = request.protocolVersion();
        if (version.majorVersion() != 1) {
            // Netty's decoder takes any HTTP/<digits>.<digits>; serving HTTP/9.9 or HTTP/2.0 as if it were
            // HTTP/1.1 would answer in a protocol the client did not ask for. HTTP/1.2 and up are served as
            // 1.1 (RFC 9110 section 2.5: a higher minor version is processed as the highest one implemented).
            refuse(id, HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "http_version_not_supported",
                    "HTTP version '" + clip(version.text()) + "' is not supported; this server speaks HTTP/1.1 and HTTP/1.0");
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        Exchange exchange = new Exchange(id, keepAlive, version == HttpVersion.HTTP_1_0);
        queue.addLast(exchange);
        if (!keepAlive) {
            closing = true;
        }
        updateReading();
        try {
            serve(ctx, request, exchange);
        } catch (RuntimeException e) {
            LOG.error("failed to serve {} {} (request {}) on {}", request.method(), clip(request.uri()), id, ctx.channel(), e);
            respond(exchange, Responses.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal",
                    "internal error; the host log has the details", id));
        }
    }

    /** Answers a request the decoder could not parse; the connection closes after it. */
    private void refuseMalformed(String id, Throwable cause) {
        String detail = clip(String.valueOf(cause.getMessage()));
        if (cause instanceof TooLongHttpLineException) {
            refuse(id, HttpResponseStatus.REQUEST_URI_TOO_LONG, "uri_too_long", "request line too long: " + detail);
        } else if (cause instanceof TooLongHttpHeaderException) {
            refuse(id, HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "headers_too_large", "request headers too large: " + detail);
        } else {
            refuse(id, HttpResponseStatus.BAD_REQUEST, "bad_request", "malformed HTTP request: " + detail);
        }
    }

    private void refuse(String id, HttpResponseStatus status, String error, String message) {
        Exchange exchange = new Exchange(id, false, false);
        queue.addLast(exchange);
        closing = true;
        updateReading();
        complete(exchange, Responses.error(status, error, message, id));
    }

    /** On the event loop: records the response and writes every response that is now next in line. */
    private void complete(Exchange exchange, FullHttpResponse response) {
        // A second response for one exchange (a bug in a subclass) is dropped rather than sent out of turn;
        // exchange.response stays set after writing for exactly this check.
        if (finished || exchange.response != null) {
            response.release();
            return;
        }
        exchange.response = response;
        if (queue.peekFirst() == exchange) {
            writeReady();
        }
    }

    private void complete(Exchange exchange, StreamedResponse streamed) {
        if (finished || exchange.response != null || exchange.streamed != null) {
            streamed.cancel("the client disconnected");
            return;
        }
        exchange.streamed = streamed;
        if (queue.peekFirst() == exchange) {
            writeReady();
        }
    }

    private void writeReady() {
        boolean wrote = false;
        Exchange head;
        while ((head = queue.peekFirst()) != null && (head.response != null || head.streamed != null)) {
            if (head.streamed != null) {
                if (streaming != head) {
                    beginStream(head);
                }
                break; // later responses wait until the stream ends
            }
            queue.pollFirst();
            FullHttpResponse response = head.response;
            boolean close = !head.keepAlive || (queue.isEmpty() && draining.getAsBoolean());
            decorate(response, head, close);
            if (close) {
                closing = true;
                finished = true;
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
                discardQueued();
                return;
            }
            ctx.write(response, ctx.voidPromise());
            wrote = true;
        }
        if (wrote) {
            ctx.flush();
            updateReading();
        }
    }

    /** The exchange is next in line: its head is decorated now, and sent with the first chunk. */
    private void beginStream(Exchange exchange) {
        streaming = exchange;
        boolean chunked = !exchange.http10; // HTTP/1.0 knows no chunks: the end of the connection ends the body
        boolean close = !exchange.keepAlive || !chunked || (queue.size() == 1 && draining.getAsBoolean());
        if (close) {
            closing = true; // nothing after it will be answered
        }
        exchange.closeAfterStream = close;
        decorate(exchange.streamed.head, exchange, close);
        exchange.streamed.begin(this, exchange, ctx, chunked);
    }

    /** On the event loop: the stream's last chunk is written ({@code last}); the next responses may go. */
    void streamEnded(Exchange exchange, ChannelFuture last) {
        if (streaming != exchange || finished) {
            return;
        }
        streaming = null;
        queue.pollFirst();
        boolean close = exchange.closeAfterStream || (queue.isEmpty() && draining.getAsBoolean());
        if (close) {
            closing = true;
            finished = true;
            last.addListener(ChannelFutureListener.CLOSE);
            discardQueued();
            return;
        }
        writeReady();
        updateReading();
    }

    /** On the event loop: the stream failed after its head went out; closing is the only way to say so. */
    void streamCut(Exchange exchange) {
        if (streaming != exchange || finished) {
            return;
        }
        streaming = null;
        closing = true;
        finished = true;
        ctx.close();
        discardQueued();
    }

    /** On the event loop: the stream failed before sending anything, so it is answered as an error. */
    void streamFailedBeforeHead(Exchange exchange, FullHttpResponse error) {
        if (streaming != exchange || finished) {
            error.release();
            return;
        }
        streaming = null;
        exchange.streamed = null;
        exchange.response = error;
        writeReady();
    }

    private static void decorate(HttpResponse response, Exchange exchange, boolean close) {
        HttpHeaders headers = response.headers();
        headers.set(Responses.X_REQUEST_ID, exchange.requestId);
        headers.set(HttpHeaderNames.DATE, Responses.date());
        if (close) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (exchange.http10) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
    }

    /** Releases responses that can no longer be written (the connection closes or closed). */
    private void discardQueued() {
        Exchange exchange;
        while ((exchange = queue.pollFirst()) != null) {
            if (exchange.response != null) {
                ReferenceCountUtil.release(exchange.response);
            }
            if (exchange.streamed != null) {
                if (exchange == streaming) {
                    exchange.streamed.connectionClosed();
                } else {
                    exchange.streamed.cancel("the client disconnected before the stream began");
                }
            }
        }
    }

    private void updateReading() {
        boolean wanted = !closing && queue.size() < MAX_PIPELINED && ctx.channel().isWritable();
        if (wanted != reading) {
            reading = wanted;
            ctx.channel().config().setAutoRead(wanted);
        }
    }

    private String checkedId(String given) {
        return RequestIds.isSane(given) ? given : newRequestId.get();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        updateReading();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            if (queue.isEmpty()) {
                LOG.debug("closing idle connection {}", ctx.channel());
                finished = true;
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        finished = true;
        discardQueued();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        finished = true;
        discardQueued();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            // Resets and broken pipes are the client's business; nothing to learn from a stack trace.
            LOG.debug("connection {} failed: {}", ctx.channel(), cause.toString());
        } else {
            LOG.warn("closing connection {} after an unexpected error", ctx.channel(), cause);
        }
        finished = true;
        ctx.close();
    }

    /** 405 with the methods a listener takes. */
    static FullHttpResponse methodNotAllowed(String method, CharSequence allowed, String requestId) {
        FullHttpResponse response = Responses.error(HttpResponseStatus.METHOD_NOT_ALLOWED, "method_not_allowed",
                "method " + clip(method) + " is not allowed here; allowed: " + allowed, requestId);
        response.headers().set(HttpHeaderNames.ALLOW, allowed);
        return response;
    }

    /** Client text echoed in error messages is cut short: it is there to identify, not to reproduce. */
    static String clip(String text) {
        return text.length() <= MAX_ECHO ? text : text.substring(0, MAX_ECHO) + "...";
    }

    /** The path of a request URI without its query, for messages. */
    static String pathOf(HttpRequest request) {
        String uri = request.uri();
        int query = uri.indexOf('?');
        return query < 0 ? uri : uri.substring(0, query);
    }
}
