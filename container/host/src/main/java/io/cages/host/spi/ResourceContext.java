package io.cages.host.spi;

import com.fasterxml.jackson.databind.JsonNode;
import io.cages.api.Deadline;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import io.cages.host.spi.ResourceProvider;
import io.cages.host.HostConfig;

/** What the host gives its {@link ResourceProvider}. */
public interface ResourceContext {

    HostConfig config();

    /**
     * The deadline of the request this thread is serving, so resources honour it without cages passing it
     * along; outside a request (a cage's start, a background thread) the default cage timeout from now.
     * Providers ask for it before every use of a resource.
     *
     * @throws IllegalStateException inside an operation the cage declared non-blocking ({@code Cage-Non-Blocking}):
     *                               it may run on an I/O thread, and every resource use blocks
     */
    Deadline currentDeadline();

    /** The cage whose request this thread is serving, or null outside a request. */
    default String currentCage() {
        return null;
    }

    /**
     * Delivers a stored durable call: to the copy of {@code cage} on this host, with {@code key} for the target's
     * dedupe table. Completes with the answer's value (null when it answered no value), or fails with a
     * {@link io.cages.api.CageException}: the callee's own error as it is, and UNAVAILABLE when the call was not
     * executed (the cage is not deployed here, or refused it), so the provider retries those.
     */
    default CompletableFuture<JsonNode> deliverDurably(String caller, String cage, String operation, Map<String, Object> params,
                                                       String key, Deadline deadline) {
        return CompletableFuture.failedFuture(io.cages.api.CageException.unavailable("this host does not deliver durable calls"));
    }
}
