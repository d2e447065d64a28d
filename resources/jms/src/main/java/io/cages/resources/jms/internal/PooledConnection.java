package io.cages.resources.jms.internal;

import javax.jms.Connection;
import javax.jms.JMSException;

/** One JMS connection of the pool and how many sessions it carries. */
final class PooledConnection {

    final Connection connection;
    int sessions; // guarded by the pool
    volatile boolean broken;

    PooledConnection(Connection connection) {
        this.connection = connection;
        // A failed connection (broker gone) is dropped from the pool; the next caller opens a new one.
        try {
            connection.setExceptionListener(e -> broken = true);
        } catch (JMSException ignored) {
            // not supported by the provider: broken sessions are still found when a send fails
        }
    }

    void closeQuietly() {
        try {
            connection.close();
        } catch (JMSException | RuntimeException ignored) {
            // already dead
        }
    }
}
