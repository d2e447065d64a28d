package io.cages.transport.flock;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Calls in flight from this host, per callee host: the load signal the router sees first-hand. */
final class Outstanding {

    private final ConcurrentHashMap<String, AtomicInteger> counts = new ConcurrentHashMap<>();

    void increment(String host) {
        counts.computeIfAbsent(host, h -> new AtomicInteger()).incrementAndGet();
    }

    void decrement(String host) {
        AtomicInteger count = counts.get(host);
        if (count != null) {
            count.decrementAndGet();
        }
    }

    int of(String host) {
        AtomicInteger count = counts.get(host);
        return count == null ? 0 : count.get();
    }
}
