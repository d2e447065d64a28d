package io.cages.resources.jms.internal;

import java.util.HashMap;
import java.util.Map;
import javax.jms.JMSException;
import javax.jms.MessageProducer;
import javax.jms.Queue;
import javax.jms.Session;

/**
 * A session with its one anonymous producer, lent to one caller at a time. Queue objects are cached because
 * creating one is a round trip on some clients and the same few queues are sent to again and again.
 */
public final class PooledSession {

    final PooledConnection connection;
    final boolean transacted;
    private final Session session;
    private final MessageProducer producer;
    private final Map<String, Queue> queues = new HashMap<>();
    volatile boolean broken;

    PooledSession(PooledConnection connection, boolean transacted) throws JMSException {
        this.connection = connection;
        this.transacted = transacted;
        this.session = connection.connection.createSession(transacted, transacted ? Session.SESSION_TRANSACTED : Session.AUTO_ACKNOWLEDGE);
        try {
            this.producer = session.createProducer(null);
        } catch (JMSException e) {
            session.close();
            throw e;
        }
    }

    public Session session() {
        return session;
    }

    public MessageProducer producer() {
        return producer;
    }

    public Queue queue(String name) throws JMSException {
        Queue q = queues.get(name);
        if (q == null) {
            q = session.createQueue(name);
            queues.put(name, q);
        }
        return q;
    }

    /** Marks this session unusable: it is closed instead of going back to the pool. */
    public void markBroken() {
        broken = true;
    }

    /** With or without the pool lock: every flag it reads is volatile, and none is ever cleared. */
    boolean usable() {
        return !broken && connection.takesSessions();
    }

    void closeQuietly() {
        try {
            session.close();
        } catch (JMSException | RuntimeException ignored) {
            // closing a session of a dead connection fails; nothing is left to release
        }
    }
}
