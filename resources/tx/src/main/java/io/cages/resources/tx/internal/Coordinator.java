package io.cages.resources.tx.internal;

import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.api.ErrorCode;
import io.cages.resources.tx.PartialCommitException;
import io.cages.resources.tx.Participant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/** Runs one transaction: parallel work, then one-phase commits in order, or rollback of all. */
public final class Coordinator {

    private static final AtomicInteger IDS = new AtomicInteger();

    private final List<Participant> participants;
    private final Deadline deadline;
    private final Duration abortGrace;

    public Coordinator(List<Participant> participants, Deadline deadline, Duration abortGrace) {
        this.participants = participants;
        this.deadline = deadline;
        this.abortGrace = abortGrace;
    }

    public List<Object> run() throws CageException {
        if (participants.isEmpty()) {
            return List.of();
        }
        if (deadline.isExpired()) {
            throw CageException.deadlineExceeded("transaction: deadline passed before it started; nothing was run");
        }
        int id = IDS.incrementAndGet();
        List<CompletableFuture<Object>> work = new ArrayList<>(participants.size());
        CompletableFuture<Integer> firstFailure = new CompletableFuture<>();
        for (int i = 0; i < participants.size(); i++) {
            Participant p = participants.get(i);
            CompletableFuture<Object> f = new CompletableFuture<>();
            int index = i;
            f.whenComplete((r, e) -> {
                if (e != null) {
                    firstFailure.complete(index);
                }
            });
            work.add(f);
            Thread.ofVirtual().name("tx-" + id + "-" + (i + 1)).start(() -> {
                try {
                    f.complete(p.execute(deadline));
                } catch (Throwable t) {
                    f.completeExceptionally(t);
                }
            });
        }

        // Phase 0: wait for all to succeed, the first failure, or the deadline.
        CompletableFuture<Void> all = CompletableFuture.allOf(work.toArray(CompletableFuture[]::new));
        boolean timedOut = false;
        try {
            CompletableFuture.anyOf(all, firstFailure).get(Math.max(0, deadline.remainingNanos()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            timedOut = true;
        } catch (ExecutionException e) {
            // allOf failed: firstFailure is complete too
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort(work);
            throw new CageException(ErrorCode.UNAVAILABLE, "transaction: interrupted; all participants rolled back");
        }

        Integer failed = firstFailure.getNow(null);
        for (int i = 0; failed == null && i < work.size(); i++) {
            // allOf's callbacks may run before firstFailure's: look at the futures themselves too
            if (work.get(i).isCompletedExceptionally()) {
                failed = i;
            }
        }
        if (failed != null) {
            Throwable cause = unwrap(work.get(failed));
            CageException c = translate(participants.get(failed), cause);
            List<String> unfinished = abort(work);
            ErrorCode code = deadline.isExpired() ? ErrorCode.DEADLINE_EXCEEDED : c.code();
            throw new CageException(code, "transaction rolled back: " + participants.get(failed).describe() + " failed: "
                    + c.getMessage() + stragglers(unfinished), cause);
        }
        if (timedOut || deadline.isExpired()) {
            List<String> running = new ArrayList<>();
            for (int i = 0; i < work.size(); i++) {
                if (!work.get(i).isDone()) {
                    running.add(participants.get(i).describe());
                }
            }
            List<String> unfinished = abort(work);
            throw CageException.deadlineExceeded("transaction rolled back: deadline passed"
                    + (running.isEmpty() ? " before the commit" : " while " + String.join(", ", running) + " still running")
                    + stragglers(unfinished));
        }

        // Phase 1 (one-phase, best effort): commit each in the order added.
        List<Object> results = new ArrayList<>(work.size());
        for (CompletableFuture<Object> f : work) {
            results.add(f.join());
        }
        List<String> committed = new ArrayList<>();
        for (int i = 0; i < participants.size(); i++) {
            Participant p = participants.get(i);
            try {
                p.commit();
                committed.add(p.describe());
            } catch (Throwable t) {
                List<String> notCommitted = new ArrayList<>();
                notCommitted.add(p.describe());
                for (int j = i + 1; j < participants.size(); j++) {
                    participants.get(j).rollback();
                    notCommitted.add(participants.get(j).describe());
                }
                CageException c = translate(p, t);
                if (committed.isEmpty()) {
                    throw new CageException(c.code(), "transaction rolled back: commit of " + p.describe() + " failed: "
                            + c.getMessage() + "; nothing was committed", t);
                }
                throw new PartialCommitException(c.code(), "transaction partially committed: commit of " + p.describe()
                        + " failed: " + c.getMessage() + "; committed: " + committed + "; not committed (rolled back): "
                        + notCommitted, committed, notCommitted, t);
            }
        }
        return Collections.unmodifiableList(results);
    }

    /**
     * Cancels work in flight and rolls every participant back as soon as its work has returned. Waits up to the
     * abort grace; returns the participants whose work had still not returned (they roll back when it does).
     */
    private List<String> abort(List<CompletableFuture<Object>> work) {
        for (int i = 0; i < work.size(); i++) {
            if (!work.get(i).isDone()) {
                participants.get(i).cancel();
            }
        }
        List<CompletableFuture<?>> released = new ArrayList<>();
        for (int i = 0; i < work.size(); i++) {
            Participant p = participants.get(i);
            // Runs at once (on this thread) if the work is done, else on the participant's thread when it returns.
            released.add(work.get(i).handle((r, e) -> {
                p.rollback();
                return null;
            }));
        }
        try {
            CompletableFuture.allOf(released.toArray(CompletableFuture[]::new)).get(abortGrace.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // reported below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<String> unfinished = new ArrayList<>();
        for (int i = 0; i < released.size(); i++) {
            if (!released.get(i).isDone()) {
                unfinished.add(participants.get(i).describe());
            }
        }
        return unfinished;
    }

    private static String stragglers(List<String> unfinished) {
        return unfinished.isEmpty() ? "" : "; still running, rolled back when their work returns: " + unfinished;
    }

    private static Throwable unwrap(CompletableFuture<Object> f) {
        try {
            f.join();
            return null;
        } catch (CompletionException e) {
            return e.getCause() == null ? e : e.getCause();
        } catch (java.util.concurrent.CancellationException e) {
            return e;
        }
    }

    private static CageException translate(Participant p, Throwable t) {
        if (t instanceof CageException c) {
            return c;
        }
        return new CageException(ErrorCode.INTERNAL, String.valueOf(t), t);
    }
}
