package io.cages.resources.provider;

import com.fasterxml.jackson.databind.JsonNode;
import io.cages.api.CageException;
import io.cages.api.Deadline;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Marks delivered calls done in the outbox off the delivering thread, many per commit. The target's answer is
 * committed in its inbox before a call gets here, so the mark changes no guarantee: a call whose mark is lost
 * (a crash, a failed commit) stays pending, is delivered again, and the target answers what it stored without
 * running it again. Until its mark commits a call stays in flight (the relay does not deliver it again meanwhile).
 *
 * <p>Why: one mark per delivered call, in a commit shared only with whatever happened to be queued at that
 * moment, was almost half the outbox's commits (0.85 commits per call in {@code DurableCallsBench}, two writes
 * per call); one thread that waits {@value #LINGER_MS} ms for more marks before it commits makes the marks a
 * few commits per hundred calls. The mark is not on the path from call to effect, so the wait costs no caller.
 */
final class DoneRecorder {

    private static final Logger LOG = LoggerFactory.getLogger(DoneRecorder.class);
    static final long LINGER_MS = 5;
    private static final int MAX_MARKS = 1000;

    /** A delivered call and its answer; {@code recorded} runs once the mark committed or failed. */
    record Mark(String database, String id, JsonNode answer, Consumer<Boolean> recorded) {
    }

    private final Function<String, BatchedCommit> batches;
    private final ConcurrentLinkedQueue<Mark> queue = new ConcurrentLinkedQueue<>();
    private final Wakeup wakeup = new Wakeup();
    private volatile boolean closed;
    private final Thread thread;

    DoneRecorder(Function<String, BatchedCommit> batches) {
        this.batches = batches;
        this.thread = Thread.ofVirtual().name("cages-durable-done").start(this::loop);
    }

    void add(Mark mark) {
        queue.add(mark);
        wakeup.wake(false);
    }

    private void loop() {
        while (!closed) {
            try {
                wakeup.await(1_000);
                if (queue.isEmpty()) {
                    continue;
                }
                Thread.sleep(LINGER_MS); // more marks arrive meanwhile and share the commit
            } catch (InterruptedException e) {
                break; // nobody interrupts it (see close()); if something does, what is queued is recorded below
            }
            recordQueued();
        }
        recordQueued();
    }

    private void recordQueued() {
        while (!queue.isEmpty()) {
            Map<String, List<Mark>> byDatabase = new LinkedHashMap<>();
            int n = 0;
            for (Mark m; n < MAX_MARKS && (m = queue.poll()) != null; n++) {
                byDatabase.computeIfAbsent(m.database(), d -> new ArrayList<>()).add(m);
            }
            byDatabase.forEach(this::record);
        }
    }

    private void record(String database, List<Mark> marks) {
        long now = System.currentTimeMillis();
        boolean ok;
        try {
            batches.apply(database).write(Deadline.afterMillis(10_000), statements -> {
                for (Mark m : marks) {
                    DurableSql.record(statements.prepare(DurableSql.RECORD), m.id(), "done", m.answer(), null, 0, now);
                }
            });
            ok = true;
        } catch (CageException | RuntimeException e) {
            // The rows stay pending: delivered again later, and the target answers the stored outcome.
            LOG.warn("durable calls: cannot mark {} delivered calls done in '{}': {}", marks.size(), database, e.getMessage());
            ok = false;
        }
        for (Mark m : marks) {
            m.recorded().accept(ok);
        }
    }

    /**
     * Records what is queued (where the database still takes writes), then stops; marks added after this are not
     * recorded. Either way an unmarked call stays pending and is answered from the target's inbox when delivered again.
     */
    void close() {
        closed = true;
        // Woken, not interrupted: an interrupt during an H2 write closes the database file under every connection.
        wakeup.wake(false);
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
