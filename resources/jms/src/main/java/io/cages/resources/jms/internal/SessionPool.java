package io.cages.resources.jms.internal;

import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.api.ErrorCode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.jms.ConnectionFactory;
import javax.jms.JMSException;

/**
 * Connections and sessions for sending, shared by every request. A semaphore with one permit per possible
 * session bounds the pool, so acquisition waits at most until the caller's deadline. Idle sessions are kept
 * (they and their producers are expensive to create); sessions of a broken connection are closed on release.
 *
 * <p>No well-kept pooled-JMS library for javax JMS resolves here (pooled-jms 3.x is Jakarta), hence this one.
 */
public final class SessionPool implements AutoCloseable {

    private final String name;
    private final ConnectionFactory factory;
    private final int maxConnections;
    private final int maxSessionsPerConnection;
    private final Semaphore permits;
    private final List<PooledConnection> connections = new ArrayList<>();
    private final Deque<PooledSession> idlePlain = new ArrayDeque<>();
    private final Deque<PooledSession> idleTransacted = new ArrayDeque<>();
    private int leased;
    private boolean closed;

    public SessionPool(String name, ConnectionFactory factory, int maxConnections, int maxSessionsPerConnection) {
        this.name = name;
        this.factory = factory;
        this.maxConnections = maxConnections;
        this.maxSessionsPerConnection = maxSessionsPerConnection;
        this.permits = new Semaphore(maxConnections * maxSessionsPerConnection, true);
    }

    /**
     * Lends a session, waiting at most until {@code deadline}.
     *
     * @throws CageException DEADLINE_EXCEEDED when none is free in time, UNAVAILABLE when the broker cannot be reached
     */
    public PooledSession acquire(boolean transacted, Deadline deadline) throws CageException {
        if (deadline.isExpired()) {
            throw new CageException(ErrorCode.DEADLINE_EXCEEDED, "jms resource '" + name + "': deadline passed before sending");
        }
        try {
            if (!permits.tryAcquire(deadline.remainingNanos(), TimeUnit.NANOSECONDS)) {
                throw new CageException(ErrorCode.DEADLINE_EXCEEDED, "jms resource '" + name + "': no session free within the deadline ("
                        + maxConnections * maxSessionsPerConnection + " in use)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CageException(ErrorCode.UNAVAILABLE, "jms resource '" + name + "': interrupted waiting for a session");
        }
        try {
            return take(transacted);
        } catch (CageException | RuntimeException e) {
            permits.release();
            throw e;
        }
    }

    private PooledSession take(boolean transacted) throws CageException {
        PooledConnection target;
        synchronized (this) {
            if (closed) {
                throw new CageException(ErrorCode.UNAVAILABLE, "jms resource '" + name + "' is closed");
            }
            Deque<PooledSession> idle = transacted ? idleTransacted : idlePlain;
            for (PooledSession s; (s = idle.pollFirst()) != null; ) {
                if (s.usable()) {
                    leased++;
                    return s;
                }
                discard(s);
            }
            // A session of the other kind may hold the last slot on a connection: close one to make room.
            target = connectionWithRoom();
            if (target == null) {
                PooledSession other = (transacted ? idlePlain : idleTransacted).pollLast();
                if (other != null) {
                    discard(other);
                    target = connectionWithRoom();
                }
            }
            if (target != null) {
                target.sessions++; // reserved before leaving the lock, so concurrent takers do not overfill it
            }
            leased++;
        }
        try {
            if (target == null) {
                target = openConnection();
            }
            return new PooledSession(target, transacted);
        } catch (JMSException | RuntimeException e) {
            synchronized (this) {
                leased--;
                if (target != null) {
                    target.sessions--;
                }
            }
            throw new CageException(ErrorCode.UNAVAILABLE, "jms resource '" + name + "': cannot reach the broker: " + e.getMessage(), e);
        }
    }

    private PooledConnection connectionWithRoom() {
        connections.removeIf(c -> {
            if (c.broken && c.sessions == 0) {
                c.closeQuietly();
                return true;
            }
            return false;
        });
        PooledConnection best = null;
        for (PooledConnection c : connections) {
            if (!c.broken && c.sessions < maxSessionsPerConnection && (best == null || c.sessions < best.sessions)) {
                best = c;
            }
        }
        // Spread sessions over a new connection while allowed rather than piling them on the first one.
        if (best != null && best.sessions > 0 && connections.size() < maxConnections) {
            return null;
        }
        return best;
    }

    private PooledConnection openConnection() throws JMSException {
        javax.jms.Connection raw = factory.createConnection();
        PooledConnection c = new PooledConnection(raw);
        synchronized (this) {
            if (closed) {
                c.closeQuietly();
                throw new javax.jms.IllegalStateException("pool closed");
            }
            c.sessions = 1;
            connections.add(c);
        }
        return c;
    }

    /** Takes a session back; a broken one is closed instead of kept. */
    public void release(PooledSession s) {
        boolean close;
        synchronized (this) {
            leased--;
            close = closed || !s.usable();
            if (close) {
                discard(s);
            } else {
                (s.transacted ? idleTransacted : idlePlain).addFirst(s);
            }
        }
        permits.release();
    }

    private void discard(PooledSession s) {
        s.closeQuietly();
        s.connection.sessions--;
    }

    /** Sessions lent out now (0 when nothing leaks). */
    public synchronized int leased() {
        return leased;
    }

    public synchronized int openConnections() {
        return connections.size();
    }

    @Override
    public void close() {
        List<PooledConnection> toClose;
        synchronized (this) {
            closed = true;
            idlePlain.forEach(PooledSession::closeQuietly);
            idleTransacted.forEach(PooledSession::closeQuietly);
            idlePlain.clear();
            idleTransacted.clear();
            toClose = new ArrayList<>(connections);
            connections.clear();
        }
        toClose.forEach(PooledConnection::closeQuietly); // also ends sessions still lent out
    }
}
