package io.cages.transport.rpc.internal;

import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.TraceContext;
import java.util.AbstractMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A request's attributes as the RPC server hands them to the host: {@code remote.address} and {@code remote.port}
 * (the connection's peer), {@code peer.host} (with mutual TLS: the calling host's name from its certificate; no
 * frame can set it), the trace ({@code trace.id}, {@code trace.span}, ...; see {@link TraceContext}),
 * {@code transport} = {@code rpc}, {@code rpc.idempotent} = {@code true} for an idempotent call and
 * {@code durable.key} for a durable one.
 *
 * <p>The host looks up a few of them by name for every request (the trace, the durable key, the transport); those
 * answer from fields. The map itself (a new one per request, one entry per name) is built only if a handler lists
 * them, which few do.
 */
final class RpcAttributes extends AbstractMap<String, String> implements TraceContext.Carrier {

    static final String IDEMPOTENT = "rpc.idempotent";

    /** The connection's own: {@code remote.address}, {@code remote.port} and {@code peer.host}, or none. */
    private final Map<String, String> peer;
    private final TraceContext trace;
    private final boolean idempotent;
    private final String durableKey;
    private volatile Map<String, String> built;

    RpcAttributes(Map<String, String> peer, TraceContext trace, boolean idempotent, String durableKey) {
        this.peer = peer;
        this.trace = trace;
        this.idempotent = idempotent;
        this.durableKey = durableKey;
    }

    @Override
    public TraceContext trace() {
        return trace;
    }

    @Override
    public String get(Object key) {
        if (!(key instanceof String name)) {
            return null;
        }
        if (name.startsWith("trace.")) {
            return trace.attribute(name);
        }
        return switch (name) {
            case InboundRequest.TRANSPORT -> "rpc";
            case InboundRequest.DURABLE_KEY_ATTRIBUTE -> durableKey;
            case IDEMPOTENT -> idempotent ? "true" : null;
            default -> peer.get(name);
        };
    }

    @Override
    public boolean containsKey(Object key) {
        return get(key) != null; // no attribute is null
    }

    @Override
    public Set<Entry<String, String>> entrySet() {
        return built().entrySet();
    }

    @Override
    public int size() {
        return built().size();
    }

    private Map<String, String> built() {
        Map<String, String> map = built;
        if (map == null) {
            map = build();
            built = map; // two threads may both build it: equal maps, either one is kept
        }
        return map;
    }

    private Map<String, String> build() {
        Map<String, String> attributes = HashMap.newHashMap(peer.size() + 8);
        attributes.putAll(peer);
        trace.putInto(attributes);
        // A call by name has the calling cage's name as its caller: this says it came over RPC (metrics, spans).
        attributes.put(InboundRequest.TRANSPORT, "rpc");
        if (idempotent) {
            attributes.put(IDEMPOTENT, "true");
        }
        if (durableKey != null) {
            attributes.put(InboundRequest.DURABLE_KEY_ATTRIBUTE, durableKey); // the host runs it once per key
        }
        return Map.copyOf(attributes);
    }
}
