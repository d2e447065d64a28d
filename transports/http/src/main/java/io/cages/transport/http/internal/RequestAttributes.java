package io.cages.transport.http.internal;

import io.cages.host.spi.TraceContext;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.AbstractMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A request's attributes ({@code http.method}, {@code http.path}, {@code remote.address}, {@code remote.port}
 * and every header as {@code header.<lower-case-name>}, repeated headers joined with {@code ", "}), built
 * only if the handler looks at them: most handlers never do, and building one string per header per request
 * was a visible share of the hot path.
 *
 * <p>Keeps the request's header object, which is plain heap memory (not a reference-counted buffer), so it
 * stays valid after the request itself is released.
 *
 * <p>The request's trace is among them ({@code trace.id}, {@code trace.span}, ...; see {@link TraceContext}). The
 * host reads those of every request, so they answer without building the map.
 */
final class RequestAttributes extends AbstractMap<String, String> implements TraceContext.Carrier {

    private static final String HEADER = "header.";

    private final String method;
    private final String path;
    private final String remoteIp;
    private final String remotePort;
    private final HttpHeaders headers;
    private final TraceContext trace;
    private volatile Map<String, String> built;

    RequestAttributes(String method, String path, String remoteIp, String remotePort, HttpHeaders headers, TraceContext trace) {
        this.method = method;
        this.path = path;
        this.remoteIp = remoteIp;
        this.remotePort = remotePort;
        this.headers = headers;
        this.trace = trace;
    }

    @Override
    public TraceContext trace() {
        return trace;
    }

    @Override
    public Set<Entry<String, String>> entrySet() {
        return built().entrySet();
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
            case "http.method" -> method;
            case "http.path" -> path;
            case "remote.address" -> remoteIp;
            case "remote.port" -> remotePort;
            // Only a header needs the map; any other name (the host asks every request for its durable key and
            // may ask for its transport) is not among these attributes, and answers without building it.
            default -> name.startsWith(HEADER) ? built().get(name) : null;
        };
    }

    @Override
    public boolean containsKey(Object key) {
        return get(key) != null; // no attribute is null
    }

    @Override
    public int size() {
        return built().size();
    }

    private Map<String, String> built() {
        Map<String, String> map = built;
        if (map == null) {
            synchronized (this) {
                map = built;
                if (map == null) {
                    map = build();
                    built = map;
                }
            }
        }
        return map;
    }

    private Map<String, String> build() {
        Map<String, String> attributes = HashMap.newHashMap(headers.size() + 4);
        attributes.put("http.method", method);
        attributes.put("http.path", path);
        attributes.put("remote.address", remoteIp);
        attributes.put("remote.port", remotePort);
        Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
        while (it.hasNext()) {
            Map.Entry<CharSequence, CharSequence> header = it.next();
            String name = HEADER + header.getKey().toString().toLowerCase(Locale.ROOT);
            attributes.merge(name, header.getValue().toString(), (first, next) -> first + ", " + next);
        }
        trace.putInto(attributes);
        return Map.copyOf(attributes);
    }
}
