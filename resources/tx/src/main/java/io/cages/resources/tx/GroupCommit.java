package io.cages.resources.tx;

import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.resources.jdbc.JdbcResource;
import io.cages.api.SqlWork;
import io.cages.resources.jms.JmsResource;
import io.cages.resources.tx.internal.Coordinator;
import io.cages.resources.tx.internal.JmsParticipant;
import io.cages.resources.tx.internal.SqlParticipant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Several operations on JDBC and JMS resources that commit together or not at all (best effort), built per
 * request:
 *
 * <pre>{@code
 * List<Object> r = new GroupCommit(deadline)
 *         .sql(orders, c -> insertOrder(c, order))
 *         .jms(billing, tx -> tx.send("billing.charge", json, Map.of()))
 *         .run();
 * }</pre>
 *
 * {@link #run()} runs every participant's work in parallel on virtual threads; each SQL participant gets its
 * own connection with autoCommit off, each JMS participant its own transacted session. If all succeed before
 * the deadline, each is committed in the order added; if any fails or the deadline passes, all are rolled back
 * and a {@link CageException} names the failing participant (DEADLINE_EXCEEDED when the deadline passed).
 * Connections and sessions are always returned. One use only; not thread-safe while being built.
 */
public final class GroupCommit {

    /** Longest the commit phase may run past the deadline (JMS commits are cut off after it). */
    public static final Duration DEFAULT_COMMIT_GRACE = Duration.ofSeconds(5);
    /** Longest {@link #run()} waits, after an abort, for work still running to return and be rolled back. */
    public static final Duration DEFAULT_ABORT_GRACE = Duration.ofSeconds(2);

    private final Deadline deadline;
    private final List<Participant> participants = new ArrayList<>();
    private Duration commitGrace = DEFAULT_COMMIT_GRACE;
    private Duration abortGrace = DEFAULT_ABORT_GRACE;
    private boolean ran;

    public GroupCommit(Deadline deadline) {
        this.deadline = Objects.requireNonNull(deadline, "deadline");
    }

    public Deadline deadline() {
        return deadline;
    }

    /** Adds SQL work on its own connection of {@code db} (autoCommit off). Its result is its entry in {@link #run()}. */
    public <T> GroupCommit sql(JdbcResource db, SqlWork<T> work) {
        return add(new SqlParticipant(participants.size() + 1, db, work));
    }

    /** Adds JMS work on its own transacted session of {@code jms}. */
    public <T> GroupCommit jms(JmsResource jms, JmsWork<T> work) {
        return add(new JmsParticipant(participants.size() + 1, jms, work, () -> commitGrace));
    }

    /** Adds any participant (later: RPC calls, XA resources). */
    public GroupCommit add(Participant participant) {
        if (ran) {
            throw new IllegalStateException("transaction already ran");
        }
        participants.add(Objects.requireNonNull(participant, "participant"));
        return this;
    }

    public GroupCommit commitGrace(Duration grace) {
        this.commitGrace = Objects.requireNonNull(grace);
        return this;
    }

    public GroupCommit abortGrace(Duration grace) {
        this.abortGrace = Objects.requireNonNull(grace);
        return this;
    }

    /**
     * Runs, then commits or rolls back everything.
     *
     * @return each participant's result, in the order they were added (entries may be null)
     * @throws CageException the failing participant's code (DEADLINE_EXCEEDED when the deadline passed) after
     *                       rolling back all; {@link PartialCommitException} when a commit failed after others
     *                       had committed
     */
    public List<Object> run() throws CageException {
        if (ran) {
            throw new IllegalStateException("transaction already ran");
        }
        ran = true;
        return new Coordinator(List.copyOf(participants), deadline, abortGrace).run();
    }
}
