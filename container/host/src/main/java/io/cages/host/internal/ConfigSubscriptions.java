package io.cages.host.internal;

import io.cages.api.CageConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** The config listeners one cage version registered; refuses new ones once the version is retired. */
final class ConfigSubscriptions {

    // CONCURRENCY: guarded by this.
    private final List<Consumer<CageConfig>> listeners = new ArrayList<>();
    private boolean closed;

    synchronized Consumer<CageConfig> add(Consumer<CageConfig> listener) {
        if (closed) {
            throw new IllegalStateException("this cage version is retired; it can no longer subscribe to config changes");
        }
        listeners.add(listener);
        return listener;
    }

    synchronized List<Consumer<CageConfig>> closeAll() {
        closed = true;
        List<Consumer<CageConfig>> all = List.copyOf(listeners);
        listeners.clear();
        return all;
    }
}
