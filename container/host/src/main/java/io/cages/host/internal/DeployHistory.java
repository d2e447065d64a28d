package io.cages.host.internal;

import io.cages.host.admin.DeployRecord;
import java.util.ArrayDeque;
import java.util.List;

/** The last deploy attempts, bounded. */
final class DeployHistory {

    private final int capacity;
    /** Told of every record as it is added (swap metrics). */
    // CONCURRENCY: guarded by this.
    private java.util.function.Consumer<DeployRecord> listener = r -> { };
    // CONCURRENCY: guarded by this.
    private final ArrayDeque<DeployRecord> records = new ArrayDeque<>();
    private long seq;

    DeployHistory(int capacity) {
        this.capacity = capacity;
    }

    /** From now on {@code newListener} is told of every record added; it is told of those kept so far first. */
    synchronized void listen(java.util.function.Consumer<DeployRecord> newListener) {
        records.forEach(newListener);
        this.listener = newListener;
    }

    synchronized long nextSeq() {
        return ++seq;
    }

    synchronized void add(DeployRecord record) {
        if (records.size() == capacity) {
            records.removeFirst();
        }
        records.addLast(record);
        listener.accept(record);
    }

    synchronized List<DeployRecord> all() {
        return List.copyOf(records);
    }
}
