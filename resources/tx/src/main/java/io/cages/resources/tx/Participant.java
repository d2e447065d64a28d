package io.cages.resources.tx;

import io.cages.api.Deadline;

/**
 * One resource's part of a {@link GroupCommit}. The coordinator calls, in this order and never concurrently
 * for one participant (except {@link #cancel()}):
 * <ol>
 *   <li>{@link #execute} once, on a virtual thread of its own: acquire the resource, open its local
 *       transaction, do the work, keep everything open and return the result;</li>
 *   <li>then exactly one of {@link #commit} (every participant succeeded in time) or {@link #rollback}
 *       (anything failed, the deadline passed, or an earlier participant's commit failed).</li>
 * </ol>
 * Both {@code commit} and {@code rollback} must release the resource (connection, session) whatever happens;
 * {@code rollback} must be idempotent and safe after a failed or partial {@code execute}.
 *
 * <p>Today every participant is one-phase ({@link #twoPhase()} is false) and the coordinator does a
 * best-effort group commit. {@link #prepare()} is the hook for XA two-phase commit: a participant that can
 * prepare (an {@code XAResource}) will return true from {@code twoPhase()} and the coordinator will prepare
 * all before committing any (see the module README).
 */
public interface Participant {

    /** How errors name it, e.g. {@code participant 2 (sql "orders")}. */
    String describe();

    /** Does the work under {@code deadline}, holding the local transaction open. */
    Object execute(Deadline deadline) throws Exception;

    /**
     * Best effort to stop {@link #execute} early when the transaction is being aborted (called from another
     * thread while {@code execute} may be running). Must not release anything; {@link #rollback} does that.
     */
    default void cancel() {
    }

    /** Whether {@link #prepare()} is supported (XA). False for every participant in this module today. */
    default boolean twoPhase() {
        return false;
    }

    /** Phase one of two-phase commit: make the work durable and promise to commit. Not used yet. */
    default void prepare() throws Exception {
        throw new UnsupportedOperationException(describe() + " is a one-phase participant");
    }

    /** Commits (one-phase today) and releases the resource, also when the commit fails. */
    void commit() throws Exception;

    /** Rolls back whatever is open and releases the resource; never throws; idempotent. */
    void rollback();
}
