package io.cages.transport.flock;

import java.util.concurrent.ConcurrentHashMap;

/** Hosts whose connection just failed, skipped for a while so calls stop finding them one by one. */
final class Ejections {

    private final long ejectNanos;
    private final ConcurrentHashMap<String, Long> until = new ConcurrentHashMap<>();

    Ejections(long ejectMs) {
        this.ejectNanos = ejectMs * 1_000_000;
    }

    void eject(String host) {
        until.put(host, System.nanoTime() + ejectNanos);
    }

    boolean isEjected(String host) {
        Long end = until.get(host);
        if (end == null) {
            return false;
        }
        if (System.nanoTime() - end >= 0) {
            until.remove(host, end);
            return false;
        }
        return true;
    }
}
