package io.cages.resources.tx.internal;

import io.cages.api.Deadline;
import io.cages.resources.jms.JmsResource;
import io.cages.resources.jms.JmsTransaction;
import io.cages.resources.tx.JmsWork;
import io.cages.resources.tx.Participant;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * JMS sends on a transacted session of its own; one-phase commit.
 *
 * <p>The session's own deadline is the transaction's plus the commit grace: the coordinator already ends the
 * work phase at the transaction deadline, and a commit that starts just before it must not be refused by
 * {@link JmsTransaction#commit()} (which rolls back past its deadline) after other participants committed.
 */
public final class JmsParticipant implements Participant {

    private final int index;
    private final JmsResource jms;
    private final JmsWork<?> work;
    private final Supplier<Duration> commitGrace;
    private volatile JmsTransaction tx;
    private volatile boolean cancelled;

    public JmsParticipant(int index, JmsResource jms, JmsWork<?> work, Supplier<Duration> commitGrace) {
        this.index = index;
        this.jms = jms;
        this.work = work;
        this.commitGrace = commitGrace;
    }

    @Override
    public String describe() {
        return "participant " + index + " (jms '" + jms.name() + "')";
    }

    @Override
    public Object execute(Deadline deadline) throws Exception {
        if (deadline.isExpired()) {
            throw io.cages.api.CageException.deadlineExceeded("jms resource '" + jms.name() + "': deadline passed before the work started");
        }
        JmsTransaction t = jms.begin(Deadline.after(deadline.remaining().plus(commitGrace.get())));
        tx = t;
        if (cancelled) {
            throw io.cages.api.CageException.deadlineExceeded("jms resource '" + jms.name() + "': transaction aborted before the work started");
        }
        return work.apply(t);
    }

    @Override
    public void cancel() {
        cancelled = true;
    }

    @Override
    public void commit() throws Exception {
        JmsTransaction t = tx;
        tx = null;
        if (t == null) {
            throw new IllegalStateException(describe() + ": nothing to commit");
        }
        t.commit(); // releases the session also when it fails
    }

    @Override
    public void rollback() {
        JmsTransaction t = tx;
        tx = null;
        if (t != null) {
            t.rollback();
        }
    }
}
