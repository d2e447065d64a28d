package io.cages.host.testing;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Shared counters between a test and the cages it deploys. A cage's classes come from its own bundle class
 * loader, so a static field would not be shared; a map of java.* types kept in the system properties is.
 */
public final class Probe {

    private static final String KEY = "cages.test.probe";

    private Probe() {
    }

    @SuppressWarnings("unchecked")
    public static ConcurrentMap<String, AtomicInteger> counters() {
        synchronized (System.getProperties()) {
            Object map = System.getProperties().get(KEY);
            if (map == null) {
                map = new ConcurrentHashMap<String, AtomicInteger>();
                System.getProperties().put(KEY, map);
            }
            return (ConcurrentMap<String, AtomicInteger>) map;
        }
    }

    public static int get(String name) {
        AtomicInteger counter = counters().get(name);
        return counter == null ? 0 : counter.get();
    }

    public static void reset() {
        counters().clear();
    }
}
