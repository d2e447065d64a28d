package io.cages.host.internal;

import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.api.ErrorCode;
import io.cages.api.Response;
import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.RefusedException;
import io.cages.host.spi.Reply;
import java.util.concurrent.CompletableFuture;
import io.netty.util.Timeout;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One admitted request: waits in the gate or runs on its own virtual thread, answers at most once, and is
 * answered with DEADLINE_EXCEEDED by a timer if its deadline passes first (the handler is then interrupted).
 */
final class RequestTask implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(RequestTask.class);

    private final InboundRequest in;
    private final Deadline deadline;
    private final long budgetMs;
    private final CageSlot slot;
    private final ThreadFactory threads;
    private final DispatchStats stats;
    final CompletableFuture<Reply> result = new CompletableFuture<>();
    private volatile Thread thread;
    private volatile Timeout timer;

    RequestTask(InboundRequest in, Deadline deadline, long budgetMs, CageSlot slot, ThreadFactory threads, DispatchStats stats) {
        this.in = in;
        this.deadline = deadline;
        this.budgetMs = budgetMs;
        this.slot = slot;
        this.threads = threads;
        this.stats = stats;
    }

    Deadline deadline() {
        return deadline;
    }

    void timer(Timeout timer) {
        this.timer = timer;
    }

    void cancelTimer() {
        Timeout t = timer;
        if (t != null) {
            t.cancel();
        }
    }

    /** Accounts for a task that was answered while queued and will never run. */
    void abandon() {
        cancelTimer();
        stats.finished();
    }

    boolean isAnswered() {
        return result.isDone();
    }

    void start() {
        threads.newThread(this).start();
    }

    /** Fired by the deadline timer. */
    void expire() {
        if (result.isDone()) {
            return;
        }
        if (thread == null && slot.gate().withdraw(this)) {
            // Expired while queued: it leaves the queue before its caller hears about it, and never runs.
            result.completeExceptionally(new RefusedException(ErrorCode.DEADLINE_EXCEEDED, deadlineExceeded().getMessage() + "; not executed"));
            abandon();
            return;
        }
        // Running (or just starting): answer now and interrupt the handler. execute() re-checks the result
        // after publishing its thread, so one of the two always sees the other.
        if (result.completeExceptionally(deadlineExceeded())) {
            Thread running = thread;
            if (running != null) {
                running.interrupt();
            }
        }
    }

    @Override
    public void run() {
        try {
            if (result.isDone()) {
                return; // the deadline passed while it waited: never executed
            }
            if (deadline.isExpired()) {
                result.completeExceptionally(new RefusedException(ErrorCode.DEADLINE_EXCEEDED, deadlineExceeded().getMessage() + "; not executed"));
                return;
            }
            CageRevision revision = slot.enterActive();
            if (revision == null) {
                result.completeExceptionally(new RefusedException(ErrorCode.NOT_FOUND, "cage '" + in.cage() + "' was undeployed; not executed"));
                return;
            }
            try {
                execute(revision);
            } finally {
                revision.exit();
            }
        } finally {
            cancelTimer();
            stats.finished();
            slot.gate().release();
        }
    }

    private void execute(CageRevision revision) {
        thread = Thread.currentThread();
        if (result.isDone()) {
            thread = null;
            return; // the deadline passed as it was starting
        }
        Thread.currentThread().setContextClassLoader(revision.classLoader());
        try {
            stats.executed();
            HostRequest request = new HostRequest(in, deadline, revision);
            CurrentRequest.set(request);
            Response response = revision.handler().handle(request);
            if (response == null) {
                throw new IllegalStateException("handler returned null instead of a Response");
            }
            result.complete(revision.toReply(response));
        } catch (CageException e) {
            result.completeExceptionally(e);
        } catch (InterruptedException e) {
            // Interrupted by the deadline timer (already answered) or by shutdown.
            result.completeExceptionally(deadline.isExpired() ? deadlineExceeded()
                    : CageException.unavailable("request to cage '" + in.cage() + "' was interrupted"));
        } catch (Throwable t) {
            LOG.error("cage {} {} failed on {} (request {})", in.cage(), revision.version(), in.operation(), in.id(), t);
            result.completeExceptionally(new CageException(ErrorCode.INTERNAL,
                    "cage '" + in.cage() + "' failed on '" + in.operation() + "'; see the host log for request " + in.id()));
        } finally {
            CurrentRequest.clear();
            thread = null;
            // Clear an interrupt aimed at this request so it cannot leak into the bookkeeping after it.
            Thread.interrupted();
        }
    }

    private CageException deadlineExceeded() {
        return CageException.deadlineExceeded("cage '" + in.cage() + "' did not answer '" + in.operation()
                + "' within its deadline of " + budgetMs + " ms");
    }
}
