package io.cages.host.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cages.api.CageException;
import io.cages.api.CageRef;
import io.cages.api.CallResult;
import io.cages.api.Deadline;
import io.cages.api.ErrorCode;
import io.cages.api.Request;
import io.cages.host.HostConfig;
import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.OutboundCall;
import io.cages.host.spi.RemoteCalls;
import io.cages.host.spi.RemoteReply;
import io.cages.host.spi.TraceContext;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Calls by name from one cage to another: to the copy on this host when there is one (still pass-by-value),
 * otherwise through the {@link RemoteCalls} a transport offered. The deadline and trace of the request the
 * calling thread is serving travel with the call.
 */
final class CageCalls {

    /**
     * A streamed answer to a call by name is collected into bytes up to this, the RPC transport's default frame
     * limit, so a call answers alike whether the callee runs here or on another host.
     */
    static final int MAX_STREAMED_ANSWER_BYTES = 16 * 1024 * 1024;

    /** Attribute carrying the trace id from call to call. */
    public static final String TRACE_ATTRIBUTE = TraceContext.TRACE_ID;

    private final String hostName;
    private final HostConfig config;
    private final CageRegistry registry;
    private final RequestDispatcher dispatcher;
    private final AtomicReference<RemoteCalls> remote = new AtomicReference<>();

    CageCalls(String hostName, HostConfig config, CageRegistry registry, RequestDispatcher dispatcher) {
        this.hostName = hostName;
        this.config = config;
        this.registry = registry;
        this.dispatcher = dispatcher;
    }

    void offer(RemoteCalls calls) {
        if (!remote.compareAndSet(null, calls)) {
            throw new IllegalStateException("another transport already provides calls to other hosts");
        }
    }

    RemoteCalls remote() {
        return remote.get();
    }

    CageRef ref(HostCageContext caller, String cage) {
        if (!HostConfig.isValidCageName(cage)) {
            throw new IllegalArgumentException("'" + cage + "' is not a valid cage name");
        }
        return new HostCageRef(this, caller, cage);
    }

    /**
     * One call by name. {@code waited}: the caller only waits for the future ({@link HostCageRef#call}), so
     * a remote answer may complete it on the transport's I/O thread, which wakes the waiting handler with no
     * hand-off in between; otherwise the caller may attach stages of its own, and a remote answer completes
     * the future on a virtual thread, where those stages may block.
     */
    CompletableFuture<CallResult> call(HostCageContext caller, String cage, String operation, Map<String, ?> params,
                                       byte[] body, String contentType, boolean waited) {
        Request current = CurrentRequest.get();
        Deadline deadline = CurrentRequest.deadlineOf(current, config.limitsFor(caller.cageName()).timeoutMs());
        if (deadline.isExpired()) {
            return CompletableFuture.failedFuture(CageException.deadlineExceeded("no time left to call cage '" + cage
                    + "' operation '" + operation + "': the caller's deadline has passed; not sent"));
        }
        Map<String, Object> copied;
        try {
            copied = copy(caller.mapper(), params);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(CageException.badRequest("parameters for cage '" + cage + "' operation '"
                    + operation + "' cannot be copied: " + e.getMessage()));
        }
        // The call is a span of its own (the client's side), child of the caller's; the callee's is its child.
        TraceContext callSpan = traceOf(current).child();
        SpanExport spans = dispatcher.spans();
        long started = spans != SpanExport.NONE ? SpanExport.epochNanos() : 0;
        CompletableFuture<CallResult> outcome = callTraced(callSpan, caller, cage, operation, copied, body, contentType,
                deadline, waited);
        if (spans != SpanExport.NONE) {
            outcome.whenComplete((result, failure) -> spans.export(callSpan, cage + "/" + operation, SpanExport.CLIENT, started,
                    SpanExport.epochNanos(), Map.of("cages.cage", cage, "cages.operation", operation, "cages.caller", caller.cageName(),
                            "cages.host", result != null ? result.host() : "none"),
                    failure == null ? null : unwrap(failure).code().name().toLowerCase(java.util.Locale.ROOT)));
        }
        return outcome;
    }

    private CompletableFuture<CallResult> callTraced(TraceContext callSpan, HostCageContext caller, String cage, String operation,
                                                     Map<String, Object> copied, byte[] body, String contentType,
                                                     Deadline deadline, boolean waited) {
        ObjectMapper callerMapper = caller.mapper();
        CageSlot local = registry.get(cage);
        if (local != null && local.active() != null) {
            Map<String, String> attributes = HashMap.newHashMap(4);
            callSpan.child().putInto(attributes);
            InboundRequest request = new InboundRequest(dispatcher.newRequestId(), cage, operation, copied, body, contentType,
                    attributes, caller.cageName(), deadline);
            return dispatcher.dispatch(request)
                    .thenCompose(reply -> reply.collected(MAX_STREAMED_ANSWER_BYTES, "limit of calls by name"))
                    .handle((reply, failure) -> {
                        if (failure != null) {
                            throw new CompletionException(named(unwrap(failure), cage, operation, hostName));
                        }
                        return (CallResult) new HostCallResult(reply, hostName, callerMapper);
                    });
        }
        RemoteCalls calls = remote.get();
        if (calls == null) {
            return CompletableFuture.failedFuture(CageException.notFound("no cage named '" + cage
                    + "' runs on this host, and this host is not in a flock"));
        }
        OutboundCall call = new OutboundCall(caller.cageName(), callSpan.wireValue(), cage, operation, copied, body, contentType, deadline);
        CompletableFuture<CallResult> result = new CompletableFuture<>();
        calls.call(call).whenComplete((reply, failure) -> {
            if (waited) {
                complete(result, reply, failure, callerMapper);
            } else {
                Thread.startVirtualThread(() -> complete(result, reply, failure, callerMapper));
            }
        });
        return result;
    }

    private static void complete(CompletableFuture<CallResult> result, RemoteReply reply, Throwable failure,
                                 ObjectMapper callerMapper) {
        if (failure != null) {
            result.completeExceptionally(unwrap(failure));
        } else {
            result.complete(new HostCallResult(reply.reply(), reply.host(), callerMapper));
        }
    }

    /**
     * Pass-by-value: the callee gets a tree of plain values, never the caller's objects. One conversion with
     * the caller's own mapper (its serializers know the caller's classes; reading into a plain Map makes only
     * maps, lists, strings, numbers, booleans and nulls), where a JSON tree in between cost a second one.
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> copy(ObjectMapper callerMapper, Map<String, ?> params) {
        if (params == null || params.isEmpty()) {
            return Map.of();
        }
        Map<String, Object> scalars = PlainValues.copyOfScalars(params); // the common case, without a token buffer
        return scalars != null ? scalars : callerMapper.convertValue(params, Map.class);
    }

    /** The trace of the request this thread serves; outside one (a cage's own thread), a new trace. */
    private static TraceContext traceOf(Request current) {
        TraceContext running = TraceContext.current();
        if (running != null) {
            return running;
        }
        TraceContext given = current != null ? TraceContext.of(current.attributes()) : null;
        return given != null ? given : TraceContext.root();
    }

    static CageException unwrap(Throwable failure) {
        Throwable cause = io.cages.host.spi.Failures.cause(failure);
        if (cause instanceof CageException c) {
            return c;
        }
        return new CageException(ErrorCode.INTERNAL, "call failed: " + CageRevision.describe(cause), cause);
    }

    /** The callee's error with the callee named, so the caller's log says who failed. */
    private static CageException named(CageException e, String cage, String operation, String host) {
        return new CageException(e.code(), "cage '" + cage + "' operation '" + operation + "' on host '" + host + "': " + e.getMessage());
    }
}
