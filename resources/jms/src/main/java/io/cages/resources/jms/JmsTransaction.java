package io.cages.resources.jms;

import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.api.ErrorCode;
import io.cages.resources.jms.internal.PooledSession;
import java.util.Map;
import javax.jms.JMSException;

/**
 * Sends that become visible together on {@link #commit()} or not at all. One thread at a time (a JMS session
 * is single-threaded). Always end it with commit or rollback, which give the session back to the pool;
 * {@link #close()} rolls back if neither happened, so try-with-resources never leaks a session.
 *
 * <p>This is the JMS participant of the later group commit: sends are prepared under the deadline, then
 * committed when every participant succeeded.
 */
public final class JmsTransaction implements AutoCloseable {

    private final JmsResource resource;
    private final PooledSession session;
    private final Deadline deadline;
    private boolean ended;

    JmsTransaction(JmsResource resource, PooledSession session, Deadline deadline) {
        this.resource = resource;
        this.session = session;
        this.deadline = deadline;
    }

    public String send(String queue, String text, Map<String, String> properties) throws CageException {
        checkOpen();
        return resource.sendOn(session, queue, text, null, properties, deadline);
    }

    public String send(String queue, byte[] body, Map<String, String> properties) throws CageException {
        checkOpen();
        return resource.sendOn(session, queue, null, body, properties, deadline);
    }

    /**
     * Commits every send. Past the deadline it rolls back instead and fails with DEADLINE_EXCEEDED, so
     * nothing is published for a request whose caller has given up.
     */
    public void commit() throws CageException {
        checkOpen();
        ended = true;
        try {
            if (deadline.isExpired()) {
                rollbackQuietly();
                throw new CageException(ErrorCode.DEADLINE_EXCEEDED, "jms resource '" + resource.name() + "': deadline passed before commit; rolled back");
            }
            session.session().commit();
        } catch (JMSException | RuntimeException e) {
            session.markBroken();
            throw resource.failure("commit", e);
        } finally {
            resource.release(session);
        }
    }

    public void rollback() {
        if (ended) {
            return;
        }
        ended = true;
        try {
            rollbackQuietly();
        } finally {
            resource.release(session);
        }
    }

    private void rollbackQuietly() {
        try {
            session.session().rollback();
        } catch (JMSException | RuntimeException e) {
            session.markBroken(); // the broker drops uncommitted work of a closed session anyway
        }
    }

    private void checkOpen() {
        if (ended) {
            throw new java.lang.IllegalStateException("transaction already committed or rolled back");
        }
    }

    @Override
    public void close() {
        rollback();
    }
}
