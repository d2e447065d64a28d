package io.cages.process.internal;

import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The one platform thread that times process cages: heartbeats and idle retirement, restart back-offs, and the
 * deadline of every request out at a pool worker.
 *
 * <p>A request's deadline lives here rather than in a timed wait of its handler's virtual thread: a virtual
 * thread's timed park schedules and cancels a task on the virtual-thread scheduler's delay thread, waking it
 * twice per request (measured with JFR and perf under procbench). Here scheduling is a heap insert under a lock
 * that wakes this thread only when the new deadline is the nearest one, and a cancelled deadline leaves the heap
 * at once (it does not wait there for its time).
 */
final class SupervisionTimer {

    static final ScheduledThreadPoolExecutor TIMER = create();

    private SupervisionTimer() {
    }

    private static ScheduledThreadPoolExecutor create() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "cages-process-supervisor");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }
}
