package io.cages.resources.jms.internal;

import javax.jms.Connection;
import javax.jms.JMSException;

/**
 * One connection slot of the pool: first a reservation while the connection is being opened (outside the pool
 * lock), then the open connection and how many sessions it carries. Fields are written under the pool's lock;
 * those {@link #takesSessions} reads are volatile because the pool's lock-free lending reads them without it
 * ({@code connection} too: sessions are created from it outside the lock).
 */
final class PooledConnection {

    /** Null while being opened; set once, under the pool lock, when the connection is published. */
    volatile Connection connection;
    /** Session slots held: sessions lent out, idle, being created or being closed on this connection. */
    int sessions;
    /** Why opening failed; waiters for the connection fail with it. */
    volatile Exception openFailure;
    /** Takes no new sessions; closed and its slot freed when its last session is gone. */
    volatile boolean retired;
    /** The provider reported the connection lost: it takes no sessions and is closed at once. */
    volatile boolean dead;
    /** Being closed (outside the pool lock); its slot is free once it is closed. */
    volatile boolean closing;

    boolean opening() {
        return connection == null && openFailure == null;
    }

    boolean takesSessions() {
        return !retired && !dead && !closing && openFailure == null;
    }

    void closeQuietly() {
        Connection c = connection;
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (JMSException | RuntimeException ignored) {
            // already dead
        }
    }
}
