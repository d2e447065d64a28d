package io.cages.host.internal;

import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.api.ErrorCode;
import io.cages.api.Request;
import io.cages.api.Response;
import io.cages.host.spi.AsyncCageHandler;
import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.RefusedException;
import io.cages.host.spi.Reply;
import io.cages.host.spi.TraceContext;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import io.netty.util.Timeout;
import io.netty.util.Timer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One admitted request: waits in the gate or runs on its own virtual thread (a non-blocking operation: on the
 * thread that dispatched it; an {@link AsyncCageHandler}: started on that thread, finished on the one that
 * completes it), answers at most once, and is answered with DEADLINE_EXCEEDED by a timer if its
 * deadline passes first (a handler on its own thread is then interrupted); a non-blocking operation run on
 * its caller's thread is never interrupted, and answers DEADLINE_EXCEEDED if its deadline passed as it ran.
 */
final class RequestTask implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(RequestTask.class);

    private final InboundRequest in;
    private final Deadline deadline;
    private final long budgetMs;
    private final CageSlot slot;
    private final ThreadFactory threads;
    private final Timer deadlines;
    private final DispatchStats stats;
    private final RequestEvents events;
    /** Runs a durable call (a request with a key) once per key; null in tests that build tasks without resources. */
    private final HostResources resources;
    private final SpanExport spans;
    private final long admittedNanos = System.nanoTime();
    /** This request's hop of its trace: the one its transport or caller gave, else a new trace. */
    private final TraceContext trace;
    /** The version that ran the request, for its metrics; null until one entered. */
    private volatile String version;
    final CompletableFuture<Reply> result = new CompletableFuture<>();
    /** The handler's thread while it runs, for the deadline timer to interrupt; never a caller's thread. */
    private volatile Thread thread;
    /** True while the task runs on the thread that dispatched it (a non-blocking operation). */
    private boolean onCallerThread;
    private volatile Timeout timer;
    /** The answer's body while its producer runs (a streamed answer), for the deadline timer to end. */
    private volatile StreamedBody stream;

    RequestTask(InboundRequest in, Deadline deadline, long budgetMs, CageSlot slot, ThreadFactory threads, Timer deadlines,
                DispatchStats stats, RequestEvents events, HostResources resources,
                SpanExport spans) {
        this.in = in;
        this.deadline = deadline;
        this.budgetMs = budgetMs;
        this.slot = slot;
        this.threads = threads;
        this.deadlines = deadlines;
        this.stats = stats;
        this.events = events;
        this.resources = resources;
        this.spans = spans;
        TraceContext given = TraceContext.of(in.attributes());
        this.trace = given != null ? given : TraceContext.root();
    }

    Deadline deadline() {
        return deadline;
    }

    /**
     * Starts the deadline timer, before the task waits in the queue or gets a thread of its own. A task run on
     * its caller's thread has none: nothing could answer that caller before the handler returns anyway (its
     * thread is busy running it), so the deadline is checked when it returns instead.
     */
    void armDeadline() {
        if (timer == null) {
            timer = deadlines.newTimeout(timeout -> expire(), Math.max(1, deadline.remainingNanos()), TimeUnit.NANOSECONDS);
        }
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
        long took = System.nanoTime() - admittedNanos;
        events.finished(in, null, result, took);
        exportSpan(took);
    }

    /** Accounts for a task its cage's gate refused (answered already): it never waited nor ran. */
    void refuse() {
        stats.finished();
        events.refused(in, true, ErrorCode.UNAVAILABLE);
    }

    boolean isAnswered() {
        return result.isDone();
    }

    /**
     * Runs the task: on the calling thread when {@code mayRunHere} and the active version declares the operation
     * non-blocking, else on a virtual thread of its own. Only the dispatching thread passes true: a task started
     * when another ends must not run on (and lengthen) that one's thread.
     */
    void start(boolean mayRunHere) {
        if (mayRunHere) {
            CageRevision active = slot.active();
            if (active != null && active.handler() instanceof AsyncCageHandler) {
                run(); // returns as soon as the handler started the request (see executeAsync)
                return;
            }
            if (active != null && active.isNonBlocking(in.operation())) {
                onCallerThread = true;
                run();
                return;
            }
        }
        armDeadline();
        threads.newThread(this).start();
    }

    /** Fired by the deadline timer. */
    void expire() {
        if (result.isDone()) {
            StreamedBody streaming = stream; // written before the result was completed with it
            if (streaming != null) {
                streaming.fail(CageException.deadlineExceeded("cage '" + in.cage() + "' did not finish streaming '"
                        + in.operation() + "' within its deadline of " + budgetMs + " ms"));
            }
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
        CageRevision revision = enter();
        if (revision == null) {
            finish();
            return;
        }
        if (revision.handler() instanceof AsyncCageHandler async) {
            onCallerThread = false;
            executeAsync(revision, async);
            return;
        }
        if (onCallerThread && !revision.isNonBlocking(in.operation())) {
            // A swap between start's look and the enter brought a version that may block: it gets a thread.
            onCallerThread = false;
            armDeadline();
            threads.newThread(() -> executeAndFinish(revision)).start();
            return;
        }
        executeAndFinish(revision);
    }

    /** The active version, entered; or null when the request was answered without running (the answer says why). */
    private CageRevision enter() {
        if (result.isDone()) {
            return null; // the deadline passed while it waited: never executed
        }
        if (deadline.isExpired()) {
            result.completeExceptionally(new RefusedException(ErrorCode.DEADLINE_EXCEEDED, deadlineExceeded().getMessage() + "; not executed"));
            return null;
        }
        CageRevision revision = slot.enterActive();
        if (revision != null) {
            version = revision.version();
        }
        if (revision == null) {
            result.completeExceptionally(new RefusedException(ErrorCode.NOT_FOUND, "cage '" + in.cage() + "' was undeployed; not executed"));
        }
        return revision;
    }

    private void executeAndFinish(CageRevision revision) {
        try {
            execute(revision);
        } finally {
            revision.exit();
            finish();
        }
    }

    /**
     * Starts an asynchronous handler on this thread and finishes the task when its stage completes, on whatever
     * thread completes it. Nothing is interrupted at the deadline: the timer answers the caller, and the handler
     * ends its own work (see {@link AsyncCageHandler}).
     */
    private void executeAsync(CageRevision revision, AsyncCageHandler handler) {
        armDeadline();
        if (result.isDone()) {
            revision.exit();
            finish();
            return;
        }
        stats.executed();
        CompletionStage<Response> stage;
        if (in.attributes().containsKey(InboundRequest.DURABLE_KEY_ATTRIBUTE)) {
            // Its handler's work happens outside the host's reach, so the key could not commit with it.
            fail(revision, CageException.badRequest("cage '" + in.cage() + "' runs outside the host (" + revision.version()
                    + ") and cannot execute durable calls once; call it with call() instead"));
            revision.exit();
            finish();
            return;
        }
        TraceContext previousTrace = RequestTrace.enter(trace);
        try {
            stage = handler.handleAsync(new HostRequest(in, deadline, revision, true));
        } catch (Throwable t) {
            stage = CompletableFuture.failedStage(t);
        } finally {
            RequestTrace.exit(previousTrace);
        }
        stage.whenComplete((response, error) -> {
            try {
                if (error != null) {
                    fail(revision, error instanceof CompletionException && error.getCause() != null ? error.getCause() : error);
                } else if (response == null) {
                    fail(revision, new IllegalStateException("handler completed with null instead of a Response"));
                } else if (response.isStream()) {
                    // Its producer would need a thread of its own; asynchronous handlers (pool cages) do not stream.
                    fail(revision, new IllegalStateException("an asynchronous handler answered with a stream, which only handle() may"));
                } else {
                    result.complete(revision.toReply(response));
                }
            } finally {
                revision.exit();
                finish();
            }
        });
    }

    /** Answers with a handler's failure: its own CageException as it is, anything else as an internal error (logged). */
    private void fail(CageRevision revision, Throwable t) {
        if (t instanceof CageException e) {
            result.completeExceptionally(e);
            return;
        }
        LOG.error("cage {} {} failed on {} (request {})", in.cage(), revision.version(), in.operation(), in.id(), t);
        result.completeExceptionally(new CageException(ErrorCode.INTERNAL,
                "cage '" + in.cage() + "' failed on '" + in.operation() + "'; see the host log for request " + in.id()));
    }

    private void finish() {
        cancelTimer();
        stats.finished();
        long took = System.nanoTime() - admittedNanos;
        events.finished(in, version, result, took);
        exportSpan(took);
        slot.gate().release();
    }

    /** The request as a server span, from its admission to now, when spans are exported. */
    private void exportSpan(long tookNanos) {
        if (spans == SpanExport.NONE) {
            return;
        }
        String outcome = HostMetrics.outcome(result);
        long end = SpanExport.epochNanos();
        String ran = version;
        spans.export(trace, in.cage() + "/" + in.operation(), SpanExport.SERVER, end - tookNanos, end, Map.of(
                "cages.cage", in.cage(), "cages.operation", in.operation(), "cages.version", ran != null ? ran : "none",
                "cages.transport", HostMetrics.transport(in), "cages.outcome", outcome, "cages.caller", in.caller()),
                outcome.equals("ok") ? null : outcome);
    }

    private void execute(CageRevision revision) {
        Thread current = Thread.currentThread();
        if (!onCallerThread) {
            thread = current;
        }
        if (result.isDone()) {
            thread = null;
            return; // the deadline passed as it was starting
        }
        // On a caller's thread the handler may be nested in another one's (a local call by name): restore both.
        ClassLoader previousLoader = current.getContextClassLoader();
        Request previousRequest = CurrentRequest.get();
        TraceContext previousTrace = RequestTrace.enter(trace);
        current.setContextClassLoader(revision.classLoader());
        long started = onCallerThread ? System.nanoTime() : 0;
        try {
            stats.executed();
            HostRequest request = new HostRequest(in, deadline, revision, onCallerThread);
            CurrentRequest.set(request);
            String durableKey = in.attributes().get(InboundRequest.DURABLE_KEY_ATTRIBUTE);
            if (durableKey != null && resources != null) {
                result.complete(resources.runOnce(in.cage(), durableKey, deadline, () -> durableReply(revision, request)));
                return;
            }
            Response response = revision.handler().handle(request);
            if (response == null) {
                throw new IllegalStateException("handler returned null instead of a Response");
            }
            if (onCallerThread && deadline.isExpired()) {
                result.completeExceptionally(deadlineExceeded()); // what the timer of a task on its own thread says
            } else if (response.isStream()) {
                answerWithStream(revision, response);
            } else {
                result.complete(revision.toReply(response));
            }
        } catch (InterruptedException e) {
            // Interrupted by the deadline timer (already answered) or by shutdown.
            result.completeExceptionally(deadline.isExpired() ? deadlineExceeded()
                    : CageException.unavailable("request to cage '" + in.cage() + "' was interrupted"));
        } catch (Throwable t) {
            fail(revision, t);
        } finally {
            CurrentRequest.restore(previousRequest);
            RequestTrace.exit(previousTrace);
            current.setContextClassLoader(previousLoader);
            if (onCallerThread) {
                long took = System.nanoTime() - started;
                if (took > CageRevision.SLOW_NON_BLOCKING_NANOS) {
                    revision.tookLong(in.operation(), took);
                }
            } else {
                thread = null;
                // Clear an interrupt aimed at this request so it cannot leak into the bookkeeping after it.
                Thread.interrupted();
            }
        }
    }

    /** A durable call's answer: a value or nothing (what the dedupe table keeps), never a stream. */
    private Reply durableReply(CageRevision revision, HostRequest request) throws Exception {
        Response response = revision.handler().handle(request);
        if (response == null) {
            throw new IllegalStateException("handler returned null instead of a Response");
        }
        if (response.isStream()) {
            throw CageException.badRequest("cage '" + in.cage() + "' answered durable call '" + in.operation()
                    + "' with a stream; durable calls keep values only");
        }
        return revision.toReply(response);
    }

    /**
     * Answers with the stream, then runs its producer here, on the request's own thread: the request stays
     * entered and admitted until the producer returns, so drains and the deadline cover it.
     */
    private void answerWithStream(CageRevision revision, Response response) {
        if (onCallerThread) {
            throw new IllegalStateException("operation '" + in.operation() + "' is declared non-blocking (Cage-Non-Blocking) but"
                    + " answered with a stream, whose producer needs a thread of its own; remove it from Cage-Non-Blocking");
        }
        StreamedBody body = new StreamedBody(response.writer(), response.contentType(), in.cage(), revision.version(),
                in.operation(), in.id());
        stream = body;
        if (result.complete(Reply.ofStream(body, response.attributes(), revision.version()))) {
            body.produce();
        }
    }

    private CageException deadlineExceeded() {
        return CageException.deadlineExceeded("cage '" + in.cage() + "' did not answer '" + in.operation()
                + "' within its deadline of " + budgetMs + " ms");
    }
}
