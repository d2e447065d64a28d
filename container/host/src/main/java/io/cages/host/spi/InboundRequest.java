package io.cages.host.spi;

import io.cages.api.Deadline;
import java.util.Map;
import java.util.Objects;
import io.cages.host.spi.Dispatcher;

/**
 * A request as a transport hands it to the {@link Dispatcher}.
 *
 * @param id          request id, from {@link Dispatcher#newRequestId()} or one the caller supplied
 * @param cage        target cage name
 * @param operation   operation name
 * @param params      parameter tree: maps, lists, strings, numbers, booleans, nulls
 * @param body        raw body, empty when none
 * @param contentType media type of the body, or null
 * @param attributes  transport attributes (headers as {@code header.<name>}, {@code remote.address}, ...)
 * @param caller      who calls, e.g. {@code http:127.0.0.1:50312}
 * @param deadline    the caller's deadline, or null to use only the cage's own limit
 */
public record InboundRequest(
        String id,
        String cage,
        String operation,
        Map<String, Object> params,
        byte[] body,
        String contentType,
        Map<String, String> attributes,
        String caller,
        Deadline deadline) {

    /**
     * Attribute carrying a durable call's key: the host runs such a request once per key under the cage's inbox
     * (a duplicate answers the first execution's answer). Set only by the host's own relay and by transports
     * that received the key as a durable call's (RPC's durable flag), never from a client's headers.
     */
    public static final String DURABLE_KEY_ATTRIBUTE = "durable.key";

    /**
     * Attribute: the name of the transport a request came by ({@code rpc}, ...), set by a transport whose caller
     * does not say it: a call by name that arrives over RPC has the calling cage's name as its caller.
     */
    public static final String TRANSPORT = "transport";

    private static final byte[] NO_BODY = new byte[0];

    public InboundRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(cage, "cage");
        Objects.requireNonNull(operation, "operation");
        params = params == null ? Map.of() : params;
        body = body == null ? NO_BODY : body;
        attributes = attributes == null ? Map.of() : attributes;
        caller = caller == null ? "unknown" : caller;
    }
}
