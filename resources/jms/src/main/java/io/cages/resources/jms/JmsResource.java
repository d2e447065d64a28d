package io.cages.resources.jms;

import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.api.ErrorCode;
import io.cages.host.spi.Drain;
import io.cages.host.spi.TraceContext;
import io.cages.resources.jms.internal.PooledSession;
import io.cages.resources.jms.internal.SessionPool;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.jms.JMSException;
import javax.jms.Message;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/**
 * A named, host-owned JMS resource for sending: pooled connections, sessions and producers that outlive cage
 * versions. Every send honours the caller's deadline: waiting for a free session ends at the deadline
 * (DEADLINE_EXCEEDED), and a broker that cannot be reached is UNAVAILABLE; both name the resource.
 *
 * <p>By default messages are persistent and sends are blocking, so a send that returned is in the broker's
 * journal; a resource configured {@code "deliveryMode": "non-persistent"} trades that for speed (see
 * {@link JmsSettings.Delivery}).
 *
 * <p>Sends and open transactions are counted in a {@link Drain}: a resource replaced by a reconfiguration
 * takes no new ones (they go to its replacement) and closes once the last one ended, or at the retire grace.
 */
public final class JmsResource implements AutoCloseable {

    private final String name;
    private final JmsSettings settings;
    private final ActiveMQConnectionFactory factory;
    private final SessionPool pool;
    private final int deliveryMode;
    /** Counts sends and open transactions: a retired resource closes once they ended. */
    private final Drain inUse;
    /** CONCURRENCY: set once, before retiring begins; read by callers the drain turned away. */
    private volatile JmsResource replacement;

    public JmsResource(String name, JmsSettings settings) {
        this.name = name;
        this.settings = settings;
        this.factory = new ActiveMQConnectionFactory(settings.brokerUrl(), settings.username(), settings.password());
        // Bounds each blocking send or commit; the pool bounds the wait for a session by the deadline.
        factory.setCallTimeout(settings.sendTimeoutMs());
        factory.setBlockOnDurableSend(true);
        this.deliveryMode = settings.deliveryMode().jms();
        this.pool = new SessionPool(name, factory, settings.maxConnections(), settings.maxSessionsPerConnection());
        this.inUse = new Drain("jms resource " + name, this::closeNow);
    }

    public String name() {
        return name;
    }

    public JmsSettings settings() {
        return settings;
    }

    /** Sends a text message to {@code queue}; returns its JMSMessageID. */
    public String send(String queue, String text, Map<String, String> properties, Deadline deadline) throws CageException {
        return send(queue, text, null, properties, deadline);
    }

    /** Sends a bytes message to {@code queue}; returns its JMSMessageID. */
    public String send(String queue, byte[] body, Map<String, String> properties, Deadline deadline) throws CageException {
        return send(queue, null, body, properties, deadline);
    }

    private String send(String queue, String text, byte[] body, Map<String, String> properties, Deadline deadline) throws CageException {
        if (!inUse.tryEnter()) {
            return replacement().send(queue, text, body, properties, deadline);
        }
        try {
            PooledSession s = pool.acquire(false, deadline);
            try {
                return sendOn(s, queue, text, body, properties, deadline);
            } finally {
                pool.release(s);
            }
        } finally {
            inUse.leave();
        }
    }

    /**
     * Starts a transaction on a transacted session of its own; sends in it become visible only on
     * {@link JmsTransaction#commit()}. The session returns to the pool on commit or rollback.
     */
    public JmsTransaction begin(Deadline deadline) throws CageException {
        if (!inUse.tryEnter()) {
            return replacement().begin(deadline);
        }
        try {
            return new JmsTransaction(this, pool.acquire(true, deadline), deadline);
        } catch (CageException | RuntimeException | Error e) {
            inUse.leave();
            throw e;
        }
    }

    /** Where a caller that still held this resource after it was retired goes instead. */
    private JmsResource replacement() throws CageException {
        JmsResource next = replacement;
        if (next == null) {
            throw CageException.unavailable("jms resource '" + name + "' has been removed");
        }
        return next;
    }

    String sendOn(PooledSession s, String queue, String text, byte[] body, Map<String, String> properties, Deadline deadline)
            throws CageException {
        if (deadline.isExpired()) {
            throw new CageException(ErrorCode.DEADLINE_EXCEEDED, "jms resource '" + name + "': deadline passed before sending to " + queue);
        }
        try {
            Message m = text != null ? Messages.text(s.session(), text, properties) : Messages.bytes(s.session(), body, properties);
            traced(m);
            s.producer().send(s.queue(queue), m, deliveryMode, Message.DEFAULT_PRIORITY, Message.DEFAULT_TIME_TO_LIVE);
            return Messages.sentId(m);
        } catch (JMSException | RuntimeException e) {
            s.markBroken(); // a session that failed once is not trusted again
            throw failure("send to " + queue, e);
        }
    }

    /**
     * A message carries the trace of the request that sends it (W3C Trace Context): the {@code traceparent}
     * property names the sending request's span, the parent of the span that handles the message. Unless the
     * cage set one of its own.
     */
    private static void traced(Message m) throws JMSException {
        TraceContext current = TraceContext.current();
        if (current == null || m.propertyExists(TraceContext.TRACEPARENT)) {
            return;
        }
        String traceparent = current.traceparent();
        if (traceparent != null) {
            m.setStringProperty(TraceContext.TRACEPARENT, traceparent);
            if (current.state() != null) {
                m.setStringProperty(TraceContext.TRACESTATE, current.state());
            }
        }
    }

    CageException failure(String what, Exception e) {
        return new CageException(ErrorCode.UNAVAILABLE, "jms resource '" + name + "': " + what + " failed: " + e.getMessage(), e);
    }

    /** Ends a transaction: its session goes back to the pool. */
    void release(PooledSession s) {
        try {
            pool.release(s);
        } finally {
            inUse.leave();
        }
    }

    /** Sessions lent out right now; 0 when idle (nothing leaked). */
    public int leasedSessions() {
        return pool.leased();
    }

    public int openConnections() {
        return pool.openConnections();
    }

    /**
     * Takes no new sends (they go to {@code replacement}, or fail when it is null: the resource was removed)
     * and closes once the running ones ended, at most {@code grace} later. Returns at once.
     */
    CompletableFuture<Void> retire(JmsResource replacement, Duration grace) {
        this.replacement = replacement;
        return inUse.retire(grace);
    }

    /** Closes now: sessions still lent out fail. */
    @Override
    public void close() {
        inUse.retire(Duration.ZERO).join();
    }

    private void closeNow() {
        pool.close();
        factory.close();
    }

    @Override
    public String toString() {
        return "JmsResource[" + name + ", " + settings + "]";
    }
}
