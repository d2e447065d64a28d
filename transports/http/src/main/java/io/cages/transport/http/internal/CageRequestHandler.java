package io.cages.transport.http.internal;

import io.cages.api.Deadline;
import io.cages.host.spi.Dispatcher;
import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.Reply;
import io.cages.host.spi.TraceContext;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * The cage listener: {@code GET|POST|PUT|DELETE /<cage>/<operation>} becomes an {@link InboundRequest} for the
 * {@link Dispatcher}, and its outcome becomes the response.
 *
 * <p>Everything the request needs is copied out of Netty's buffers on the event loop, then the dispatcher
 * runs the handler on a virtual thread; the response is encoded on that thread and handed back to the event
 * loop by {@link #respond}. That hop is the only one: no executor of the transport's own sits in between.
 * A streamed reply ({@link StreamedResponse}) is written by its producer, on the request's thread, at the pace
 * the client reads.
 *
 * <p>Attributes: {@code http.method}, {@code http.path} (as sent, without the query), {@code remote.address}
 * (client IP), {@code remote.port}, and every header as {@code header.<lower-case-name>} (repeated headers
 * joined with {@code ", "}). Caller: {@code http:<ip>:<port>} (IPv6 addresses in brackets).
 *
 * <p>Tracing (W3C Trace Context): the request is a span of the trace its {@code traceparent} (and
 * {@code tracestate}) header names, or the first of a new trace when it has none or an invalid one (never the
 * client's error); the {@code trace.*} attributes carry it to the handler, and every answer carries this span's
 * {@code traceparent}.
 */
final class CageRequestHandler extends ConnectionHandler {

    private static final String TRACEPARENT = TraceContext.TRACEPARENT;
    private static final String TRACESTATE = TraceContext.TRACESTATE;

    private final Dispatcher dispatcher;

    // CONCURRENCY: event loop only. Filled on the connection's first request; the peer never changes.
    private String remoteIp;
    private String remotePort;
    private String caller;

    CageRequestHandler(Dispatcher dispatcher, BooleanSupplier draining) {
        super(dispatcher::newRequestId, draining);
        this.dispatcher = dispatcher;
    }

    @Override
    protected void serve(ChannelHandlerContext ctx, FullHttpRequest request, Exchange exchange) {
        HttpMethod method = request.method();
        if (!isCageMethod(method)) {
            respond(exchange, methodNotAllowed(method.name(), Responses.ALLOW_CAGE_METHODS, exchange.requestId));
            return;
        }
        if (caller == null) {
            identifyPeer(ctx.channel());
        }
        HttpHeaders headers = request.headers();
        TraceContext trace = TraceContext.incoming(headers.get(TRACEPARENT), headers.get(TRACESTATE));
        String traceparent = trace.traceparent();
        InboundRequest inbound;
        try {
            CagePath path = CagePath.parse(request.uri());
            if (path == null) {
                respond(exchange, traced(Responses.error(HttpResponseStatus.NOT_FOUND, "not_found", "no endpoint at '"
                        + clip(pathOf(request)) + "': cage requests go to /<cage>/<operation>", exchange.requestId), traceparent));
                return;
            }
            if (path.cage().startsWith("_")) {
                respond(exchange, traced(Responses.error(HttpResponseStatus.NOT_FOUND, "not_found", "cage names beginning with '_' are reserved: '"
                        + clip(path.cage()) + "'", exchange.requestId), traceparent));
                return;
            }
            Deadline deadline = deadlineOf(headers);
            RequestParams params = new RequestParams();
            params.addQuery(path.query());
            RequestParams.Body body = params.addBody(request);
            inbound = new InboundRequest(exchange.requestId, path.cage(), path.operation(), params.toMap(), body.bytes(),
                    body.contentType(), attributes(method, path, headers, trace), caller, deadline);
        } catch (BadRequestException e) {
            respond(exchange, traced(Responses.error(HttpResponseStatus.BAD_REQUEST, "bad_request", e.getMessage(), exchange.requestId),
                    traceparent));
            return;
        }
        CompletableFuture<Reply> outcome;
        try {
            outcome = dispatcher.dispatch(inbound);
        } catch (RuntimeException e) {
            // The dispatcher promises not to throw; if it does, the client still gets its 500.
            outcome = CompletableFuture.failedFuture(e);
        }
        outcome.whenComplete((reply, failure) -> {
            if (failure == null && reply != null && reply.isStream()) {
                respondStream(exchange, inbound, reply, traceparent);
            } else {
                respond(exchange, traced(ReplyEncoder.encode(inbound, reply, failure), traceparent));
            }
        });
    }

    /** A streamed reply: its producer waits until the exchange is next in line, then writes at the client's pace. */
    private void respondStream(Exchange exchange, InboundRequest inbound, Reply reply, String traceparent) {
        HttpResponse head;
        try {
            head = traced(ReplyEncoder.streamHead(reply), traceparent);
        } catch (RuntimeException e) {
            reply.stream().cancel("the reply's head could not be encoded");
            respond(exchange, traced(ReplyEncoder.encode(inbound, null, e), traceparent));
            return;
        }
        respond(exchange, new StreamedResponse(inbound, head, reply.stream()));
    }

    private static boolean isCageMethod(HttpMethod method) {
        return method.equals(HttpMethod.POST) || method.equals(HttpMethod.GET)
                || method.equals(HttpMethod.PUT) || method.equals(HttpMethod.DELETE);
    }

    private Map<String, String> attributes(HttpMethod method, CagePath path, HttpHeaders headers, TraceContext trace) {
        return new RequestAttributes(method.name(), path.rawPath(), remoteIp, remotePort, headers, trace);
    }

    /** The answer with this request's span as its {@code traceparent} (none for a trace that is not W3C). */
    private static <R extends HttpResponse> R traced(R response, String traceparent) {
        if (traceparent != null) {
            response.headers().set(TRACEPARENT, traceparent);
        }
        return response;
    }

    /**
     * {@code X-Cage-Timeout-Ms}: the caller's remaining budget in whole milliseconds. Absent means the cage's
     * own timeout applies; anything but a positive integer is the client's mistake (400), not a reason to
     * silently run without the caller's deadline.
     */
    static Deadline deadlineOf(HttpHeaders headers) throws BadRequestException {
        String value = headers.get(Responses.X_CAGE_TIMEOUT_MS);
        if (value == null) {
            return null;
        }
        long millis = parsePositive(value.trim());
        if (millis <= 0) {
            throw new BadRequestException("X-Cage-Timeout-Ms must be a positive whole number of milliseconds, was '" + clip(value) + "'");
        }
        return Deadline.afterMillis(millis);
    }

    /** The value of a string of 1 to 18 digits, or -1. */
    private static long parsePositive(String digits) {
        int length = digits.length();
        if (length == 0 || length > 18) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < length; i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private void identifyPeer(Channel channel) {
        SocketAddress address = channel.remoteAddress();
        if (address instanceof InetSocketAddress inet) {
            String ip = inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
            remoteIp = ip;
            remotePort = Integer.toString(inet.getPort());
            caller = "http:" + (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + inet.getPort();
        } else {
            // Not a socket (an embedded channel in tests, a local channel): name it as Netty does.
            remoteIp = String.valueOf(address);
            remotePort = "0";
            caller = "http:" + remoteIp;
        }
    }
}
