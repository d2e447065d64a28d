package io.cages.host.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.RefusedException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The host's side of durable calls: delivers a stored call to the copy on this host with its key as an
 * attribute, and has the resource provider run a request that carries a key at most once
 * ({@link RequestTask}). Calls to copies on other hosts are not delivered yet: the relay retries them until
 * a copy runs here or the call expires, rather than risk an execution without the key.
 */
final class DurableDelivery {

    /** The request attribute carrying a durable call's key to the target. */
    static final String KEY_ATTRIBUTE = "durable.key";

    private final CageRegistry registry;
    private final RequestDispatcher dispatcher;

    DurableDelivery(CageRegistry registry, RequestDispatcher dispatcher) {
        this.registry = registry;
        this.dispatcher = dispatcher;
    }

    CompletableFuture<JsonNode> deliver(String caller, String cage, String operation, Map<String, Object> params, String key,
                                        Deadline deadline) {
        CageSlot local = registry.get(cage);
        if (local == null || local.active() == null) {
            return CompletableFuture.failedFuture(CageException.unavailable("no copy of cage '" + cage
                    + "' runs on this host (durable calls are delivered to copies on the caller's host only); not executed"));
        }
        String id = dispatcher.newRequestId();
        InboundRequest request = new InboundRequest(id, cage, operation, params, null, null,
                Map.of(KEY_ATTRIBUTE, key, CageCalls.TRACE_ATTRIBUTE, id), caller, deadline);
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
}
