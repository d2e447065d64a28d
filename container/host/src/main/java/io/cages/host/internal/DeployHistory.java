package io.cages.host.internal;

import io.cages.host.admin.DeployRecord;
import java.util.ArrayDeque;
import java.util.List;

/** The last deploy attempts, bounded. */
final class DeployHistory {

    private final int capacity;
    /** Told of every record as it is added (swap metrics); may be replaced once, before the first deploy. */
    private volatile java.util.function.Consumer<DeployRecord> listener = r -> { };
    // CONCURRENCY: guarded by this.
    private final ArrayDeque<DeployRecord> records = new ArrayDeque<>();
    private long seq;

    DeployHistory(int capacity) {
        this.capacity = capacity;
    }

    void listen(java.util.function.Consumer<DeployRecord> newListener) {
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
