package io.cages.resources.jms.internal;

import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.api.ErrorCode;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import javax.jms.ConnectionFactory;
import javax.jms.JMSException;

/**
 * Connections and sessions for sending, shared by every request. A semaphore with one permit per possible
 * session bounds the pool, so acquisition waits at most until the caller's deadline. Idle sessions are kept
 * (they and their producers are expensive to create); sessions of a broken connection are closed on release.
 *
 * <p>Never more than {@code maxConnections} connections, nor {@code maxSessionsPerConnection} sessions on one,
 * yet no network I/O (opening, creating, closing) under the lock. A connection's slot is reserved under the lock
 * (a {@link PooledConnection} without a connection yet, counted like an open one) and the connection opened
 * outside it; callers that pick a connection still being opened claim a session slot on it and wait for it
 * instead of opening another. A session slot is claimed under the lock and the session created outside it. Slots
 * are given back only once what held them is closed, so a new connection or session never overlaps an old one.
 *
 * <p>A connection the provider reports lost is closed at once, freeing its slot for a new one; its sessions
 * still lent out fail and are closed when they come back. A connection on which a session could not be created
 * is retired: it takes no new sessions and is closed, freeing its slot, when its last session is gone.
 *
 * <p>Lending and taking back an idle session of a working connection, every send's path, takes no lock: the idle
 * sessions are concurrent stacks, and a send that finds one usable takes it, as HikariCP's ConcurrentBag lends
 * without a lock. With eight senders on two carrier threads the monitor was contended on every send, and a
 * virtual thread that meets a contended monitor parks (a send cost ~15% more than the raw client's). Everything
 * else (opening, closing, counting slots, waiting) stays under the lock; a session found unusable, or given back
 * to a closed pool, goes that way.
 *
 * <p>No well-kept pooled-JMS library for javax JMS resolves here (pooled-jms 3.x is Jakarta), hence this one.
 */
public final class SessionPool implements AutoCloseable {

    private final String name;
    private final ConnectionFactory factory;
    private final int maxConnections;
    private final int maxSessionsPerConnection;
    private final Semaphore permits;
    /** Open connections, reserved slots of ones being opened, and ones being closed: never more than maxConnections. */
    private final List<PooledConnection> connections = new ArrayList<>();
    /** Most recently returned first (a warm session, and the cold ones age out at the far end). */
    private final Deque<PooledSession> idlePlain = new ConcurrentLinkedDeque<>();
    private final Deque<PooledSession> idleTransacted = new ConcurrentLinkedDeque<>();
    private final AtomicInteger leased = new AtomicInteger();
    /**
     * Callers in wait() on this pool's monitor; written under the lock, read without it by a lock-free release.
     * CONCURRENCY: a waiter counts itself in and then looks at the idle sessions once more; a release puts its
     * session back and then reads this count. Both volatile: either the waiter sees the session or the release
     * sees the waiter and wakes it.
     */
    private volatile int waiting;
    /** Set once, under the lock, before the idle sessions are drained; read by lock-free releases. */
    private volatile boolean closed;

    /**
     * What {@link #claim} got: an idle session; or a session slot on {@code connection}, which the caller opens
     * when {@code opener}, and which held {@code replaces} (an idle session of the other kind, to close first).
     */
    private record Claim(PooledSession idle, PooledConnection connection, boolean opener, PooledSession replaces) {
    }

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
        long nanos = deadline.remainingNanos(); // one clock read, not two: it showed in profiles of cheap sends
        if (nanos <= 0) {
            throw new CageException(ErrorCode.DEADLINE_EXCEEDED, "jms resource '" + name + "': deadline passed before sending");
        }
        try {
            if (!permits.tryAcquire(nanos, TimeUnit.NANOSECONDS)) {
                throw noSessionInTime();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted();
        }
        try {
            return take(transacted, deadline);
        } catch (CageException | RuntimeException | Error e) {
            permits.release();
            throw e;
        }
    }

    private PooledSession take(boolean transacted, Deadline deadline) throws CageException {
        Deque<PooledSession> idle = transacted ? idleTransacted : idlePlain;
        for (PooledSession s; (s = idle.pollFirst()) != null; ) {
            if (s.usable()) {
                leased.incrementAndGet();
                return s;
            }
            closeAll(new ArrayList<>(List.of(s)));
        }
        Claim claim;
        do {
            List<Object> toClose = new ArrayList<>(0);
            try {
                synchronized (this) {
                    claim = claim(transacted, deadline, toClose);
                }
            } finally {
                closeAll(toClose);
            }
        } while (claim == null);
        if (claim.idle() != null) {
            return claim.idle();
        }
        PooledConnection target = claim.connection();
        boolean created = false;
        try {
            if (claim.opener()) {
                open(target);
            } else if (claim.replaces() != null) {
                claim.replaces().closeQuietly(); // its slot is ours: the connection never carries more than the limit
            } else {
                awaitOpen(target, deadline);
            }
            PooledSession s;
            try {
                s = new PooledSession(target, transacted);
            } catch (JMSException | RuntimeException e) {
                retire(target);
                throw unreachable(e);
            }
            created = true;
            return s;
        } finally {
            if (!created) {
                unclaim(target);
            }
        }
    }

    /**
     * Under the lock: an idle session of the kind asked for, else a session slot on a connection with room (or
     * held by an idle session of the other kind), else a reserved slot for a new connection. Otherwise every
     * slot is held by a connection being closed or retired with sessions still lent out: null (to retry) when
     * there is something in {@code toClose} to close first, else waits for a slot until the deadline.
     */
    private Claim claim(boolean transacted, Deadline deadline, List<Object> toClose) throws CageException {
        Deque<PooledSession> idle = transacted ? idleTransacted : idlePlain;
        Deque<PooledSession> otherIdle = transacted ? idlePlain : idleTransacted;
        while (true) {
            if (closed) {
                throw closedException();
            }
            for (PooledSession s; (s = idle.pollFirst()) != null; ) {
                if (s.usable()) {
                    leased.incrementAndGet();
                    return new Claim(s, null, false, null);
                }
                toClose.add(s);
            }
            PooledConnection target = connectionWithRoom();
            if (target == null && connections.size() < maxConnections) {
                PooledConnection reserved = new PooledConnection();
                reserved.sessions = 1; // the opener's own session
                connections.add(reserved);
                leased.incrementAndGet();
                return new Claim(null, reserved, true, null);
            }
            if (target != null) {
                target.sessions++; // claimed before leaving the lock, so concurrent takers do not overfill it
                leased.incrementAndGet();
                return new Claim(null, target, false, null);
            }
            // Every connection is full: an idle session of the other kind may hold the slot we need.
            PooledSession other = otherIdle.pollLast();
            if (other != null) {
                if (other.usable()) {
                    leased.incrementAndGet();
                    return new Claim(null, other.connection, false, other);
                }
                toClose.add(other);
                continue;
            }
            if (!toClose.isEmpty()) {
                return null; // closing those may free a slot
            }
            if (await(deadline, this::noSessionInTime, idle)) {
                continue; // one came back while this caller was counting itself in
            }
        }
    }

    /** A connection that takes sessions and has room, open ones first, then the fewest sessions; null to open a new one. */
    private PooledConnection connectionWithRoom() {
        PooledConnection best = null;
        for (PooledConnection c : connections) {
            if (!c.takesSessions() || c.sessions >= maxSessionsPerConnection) {
                continue;
            }
            if (best == null || (best.opening() && !c.opening())
                    || (best.opening() == c.opening() && c.sessions < best.sessions)) {
                best = c;
            }
        }
        // Spread sessions over a new connection while allowed rather than piling them on the first one.
        if (best != null && best.sessions > 0 && connections.size() < maxConnections) {
            return null;
        }
        return best;
    }

    /** Opens the connection for a reserved slot (outside the lock) and publishes it to the callers waiting for it. */
    private void open(PooledConnection reserved) throws CageException {
        javax.jms.Connection raw;
        try {
            raw = factory.createConnection();
        } catch (JMSException | RuntimeException e) {
            synchronized (this) {
                reserved.openFailure = e; // fails the callers waiting for it
                connections.remove(reserved); // nothing was opened: the slot is free again
                notifyAll();
            }
            throw unreachable(e);
        }
        try {
            // The provider calls this on a thread of its own; FAILOVER means it reconnected and the connection works.
            raw.setExceptionListener(e -> {
                if (!"FAILOVER".equals(e.getErrorCode())) {
                    lost(reserved);
                }
            });
        } catch (JMSException | RuntimeException ignored) {
            // not supported by the provider: broken sessions are still found when a send or a session creation fails
        }
        boolean poolClosed;
        boolean published;
        synchronized (this) {
            poolClosed = closed;
            published = !poolClosed && !reserved.dead;
            if (published) {
                reserved.connection = raw;
            } else {
                reserved.openFailure = poolClosed ? closedException() : new JMSException("connection lost while opening");
            }
            notifyAll();
        }
        if (!published) {
            try {
                raw.close();
            } catch (JMSException | RuntimeException ignored) {
                // already dead
            }
            synchronized (this) {
                connections.remove(reserved); // the slot is free once the connection is closed
                wakeWaiters();
            }
            throw poolClosed ? closedException() : unreachable(reserved.openFailure);
        }
    }

    /** Waits for the connection another caller is opening. */
    private void awaitOpen(PooledConnection c, Deadline deadline) throws CageException {
        synchronized (this) {
            while (c.opening() && !closed) {
                await(deadline, () -> new CageException(ErrorCode.DEADLINE_EXCEEDED, "jms resource '" + name
                        + "': the connection being opened was not ready within the deadline"), null);
            }
            if (closed) {
                throw closedException();
            }
            if (c.openFailure != null) {
                throw unreachable(c.openFailure);
            }
        }
    }

    /**
     * Under the lock: waits until notified or the deadline passes. Returns true at once, without waiting, when
     * {@code idle} (if given) holds a session once this caller counted itself in: a lock-free release may have
     * put it back after the caller last looked (see {@link #waiting}).
     */
    private boolean await(Deadline deadline, Supplier<CageException> timeout, Deque<PooledSession> idle) throws CageException {
        long nanos = deadline.remainingNanos();
        if (nanos <= 0) {
            throw timeout.get();
        }
        waiting++;
        try {
            if (idle != null && !idle.isEmpty()) {
                return true;
            }
            TimeUnit.NANOSECONDS.timedWait(this, nanos);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted();
        } finally {
            waiting--;
        }
    }

    /** Gives back a session slot claimed by {@link #claim} on which no session was lent. */
    private void unclaim(PooledConnection c) {
        List<Object> toClose = new ArrayList<>(0);
        synchronized (this) {
            leased.decrementAndGet();
            c.sessions--;
            closeIfDrained(c, toClose);
            wakeWaiters();
        }
        closeAll(toClose);
    }

    /** A session could not be created on {@code c}: it takes no new ones and is closed once its sessions are gone. */
    private void retire(PooledConnection c) {
        List<Object> toClose = new ArrayList<>(0);
        synchronized (this) {
            c.retired = true;
            removeIdleOf(c, toClose);
        }
        closeAll(toClose);
    }

    /**
     * The provider reported {@code c} lost: its idle sessions and the connection are closed at once, which frees
     * its slot for a new connection; its sessions still lent out fail and are closed when they come back.
     */
    private void lost(PooledConnection c) {
        List<Object> toClose = new ArrayList<>(0);
        synchronized (this) {
            c.dead = true;
            removeIdleOf(c, toClose);
            if (c.connection != null && !c.closing && connections.contains(c)) {
                c.closing = true;
                toClose.add(c);
            }
            notifyAll();
        }
        closeAll(toClose);
    }

    private void removeIdleOf(PooledConnection c, List<Object> toClose) {
        for (Deque<PooledSession> idle : List.of(idlePlain, idleTransacted)) {
            idle.removeIf(s -> {
                if (s.connection == c) {
                    toClose.add(s);
                    return true;
                }
                return false;
            });
        }
    }

    /** Takes a session back; a broken one, or one given back to a closed pool, is closed instead of kept. */
    public void release(PooledSession s) {
        if (!closed && s.usable()) {
            Deque<PooledSession> idle = s.transacted ? idleTransacted : idlePlain;
            idle.addFirst(s);
            leased.decrementAndGet();
            // close() sets closed before it drains the idle sessions: if it began after the look above, either
            // its drain took this session or this removes it.
            if (closed && idle.remove(s)) {
                closeAll(new ArrayList<>(List.of(s)));
            } else if (waiting > 0) {
                synchronized (this) {
                    wakeWaiters();
                }
            }
            permits.release();
            return;
        }
        leased.decrementAndGet();
        closeAll(new ArrayList<>(List.of(s)));
        permits.release();
    }

    /** Under the lock: a retired connection without sessions is closed (by the caller, once the lock is released). */
    private void closeIfDrained(PooledConnection c, List<Object> toClose) {
        if (c.retired && c.sessions == 0 && !c.closing && connections.contains(c)) {
            c.closing = true;
            toClose.add(c);
        }
    }

    private void wakeWaiters() {
        if (waiting > 0) {
            notifyAll();
        }
    }

    /**
     * Outside the lock (closing is a round trip to the broker): sessions and connections that left the pool.
     * Their slots are given back only once they are closed; a retired connection whose last session this was
     * is appended and closed too.
     */
    private void closeAll(List<Object> toClose) {
        for (int i = 0; i < toClose.size(); i++) {
            if (toClose.get(i) instanceof PooledSession s) {
                s.closeQuietly();
                synchronized (this) {
                    s.connection.sessions--;
                    closeIfDrained(s.connection, toClose);
                    wakeWaiters();
                }
            } else {
                PooledConnection c = (PooledConnection) toClose.get(i);
                c.closeQuietly();
                synchronized (this) {
                    connections.remove(c);
                    wakeWaiters();
                }
            }
        }
    }

    /** Sessions lent out now (0 when nothing leaks). */
    public int leased() {
        return leased.get();
    }

    /** Connections open now, including one being closed but not one being opened: never more than maxConnections. */
    public synchronized int openConnections() {
        int open = 0;
        for (PooledConnection c : connections) {
            if (c.connection != null) {
                open++;
            }
        }
        return open;
    }

    @Override
    public void close() {
        List<Object> sessions = new ArrayList<>();
        List<PooledConnection> toClose = new ArrayList<>();
        synchronized (this) {
            closed = true;
            sessions.addAll(idlePlain);
            sessions.addAll(idleTransacted);
            idlePlain.clear();
            idleTransacted.clear();
            for (PooledConnection c : connections) {
                if (!c.closing) { // one being closed is closed by whoever closes it
                    toClose.add(c); // one being opened is closed by its opener, which finds the pool closed
                }
            }
            connections.clear();
            notifyAll();
        }
        closeAll(sessions);
        toClose.forEach(PooledConnection::closeQuietly); // also ends sessions still lent out
    }

    private CageException noSessionInTime() {
        return new CageException(ErrorCode.DEADLINE_EXCEEDED, "jms resource '" + name + "': no session free within the deadline ("
                + maxConnections * maxSessionsPerConnection + " in use)");
    }

    private CageException interrupted() {
        return new CageException(ErrorCode.UNAVAILABLE, "jms resource '" + name + "': interrupted waiting for a session");
    }

    private CageException closedException() {
        return new CageException(ErrorCode.UNAVAILABLE, "jms resource '" + name + "' is closed");
    }

    private CageException unreachable(Exception e) {
        return new CageException(ErrorCode.UNAVAILABLE, "jms resource '" + name + "': cannot reach the broker: " + e.getMessage(), e);
    }
}
