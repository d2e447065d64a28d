package io.cages.resources.jdbc;

/**
 * A snapshot of one pool's counts.
 *
 * @param active  connections lent out now
 * @param idle    connections open and free
 * @param total   active + idle
 * @param waiting threads waiting for a connection
 * @param max     the pool's current maximum size
 */
public record PoolMetrics(int active, int idle, int total, int waiting, int max) {

    @Override
    public String toString() {
        return "active=" + active + ", idle=" + idle + ", waiting=" + waiting + ", total=" + total + ", max=" + max;
    }
}
