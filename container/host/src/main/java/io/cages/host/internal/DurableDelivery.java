package io.cages.host.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.OutboundCall;
import io.cages.host.spi.RefusedException;
import io.cages.host.spi.RemoteCalls;
import io.cages.host.spi.TraceContext;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The host's side of durable calls: delivers a stored call by name with its key, to the copy on this host
 * when there is one, else through the {@link RemoteCalls} a transport offered (the flock's router picks a
 * copy and fails over), and has the resource provider run a request that carries a key at most once
 * ({@link RequestTask}) on whichever host receives it. Copies on different hosts dedupe only if they share
 * the cage's inbox database.
 */
final class DurableDelivery {

    private final CageRegistry registry;
    private final RequestDispatcher dispatcher;
    private final CageCalls calls;

    DurableDelivery(CageRegistry registry, RequestDispatcher dispatcher, CageCalls calls) {
        this.registry = registry;
        this.dispatcher = dispatcher;
        this.calls = calls;
    }

    CompletableFuture<JsonNode> deliver(String caller, String cage, String operation, Map<String, Object> params, String key,
                                        Deadline deadline) {
        // Each delivery starts a trace of its own, as a request from outside does: the stored call has none to join.
        TraceContext trace = TraceContext.root();
        CageSlot local = registry.get(cage);
        if (local == null || local.active() == null) {
            return deliverRemotely(caller, cage, operation, params, key, deadline, trace);
        }
        Map<String, String> attributes = HashMap.newHashMap(6);
        trace.putInto(attributes);
        attributes.put(InboundRequest.DURABLE_KEY_ATTRIBUTE, key);
        InboundRequest request = new InboundRequest(dispatcher.newRequestId(), cage, operation, params, null, null,
                attributes, caller, deadline);
        return dispatcher.dispatch(request)
                .thenCompose(reply -> reply.collected(CageCalls.MAX_STREAMED_ANSWER_BYTES, "limit of calls by name"))
                .handle((reply, failure) -> {
                    if (failure != null) {
                        CageException e = CageCalls.unwrap(failure);
                        // Refused before running (not deployed, busy, shutting down): the relay tries again.
                        throw new CompletionException(e instanceof RefusedException
                                ? CageException.unavailable("cage '" + cage + "' operation '" + operation + "': " + e.getMessage()) : e);
                    }
                    return reply.hasValue() ? reply.value() : null;
                });
    }

    private CompletableFuture<JsonNode> deliverRemotely(String caller, String cage, String operation, Map<String, Object> params,
                                                        String key, Deadline deadline, TraceContext trace) {
        RemoteCalls remote = calls.remote();
        if (remote == null) {
            // Not NOT_FOUND, which would end the call: a copy may yet be deployed here before it expires.
            return CompletableFuture.failedFuture(CageException.unavailable("no copy of cage '" + cage
                    + "' runs on this host, and this host is not in a flock; not executed"));
        }
        OutboundCall call = new OutboundCall(caller, trace.wireValue(), cage, operation, params, null, null, deadline, key);
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        remote.call(call).whenComplete((reply, failure) -> {
            if (failure != null) {
                answer.completeExceptionally(CageCalls.unwrap(failure));
            } else {
                answer.complete(reply.reply().hasValue() ? reply.reply().value() : null); // as for a local copy
            }
        });
        return answer;
    }
}
