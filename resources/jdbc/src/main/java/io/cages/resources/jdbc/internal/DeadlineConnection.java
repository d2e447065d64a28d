package io.cages.resources.jdbc.internal;

import io.cages.api.Deadline;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A borrowed connection that carries the request deadline into its statements and, on close, undoes what we
 * set before HikariCP takes it back.
 */
final class DeadlineConnection implements InvocationHandler {

    private final Pool pool;
    private final Connection raw;
    private final Deadline deadline;
    private final AtomicBoolean closed = new AtomicBoolean();

    private DeadlineConnection(Pool pool, Connection raw, Deadline deadline) {
        this.pool = pool;
        this.raw = raw;
        this.deadline = deadline;
    }

    static Connection wrap(Pool pool, Connection raw, Deadline deadline) throws SQLException {
        if (pool.dialect() == Dialect.POSTGRESQL) {
            // Session-level and set in autocommit mode, so a later rollback cannot undo it. At least 1 ms: 0
            // would mean "no limit".
            long ms = Math.max(1, deadline.remainingMillis());
            try (Statement s = raw.createStatement()) {
                s.execute("SET statement_timeout = " + ms);
            }
        }
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, new DeadlineConnection(pool, raw, deadline));
    }

    /** Drops a connection that failed before it was handed out, so the pool replaces it. */
    static void discard(Pool pool, Connection raw) {
        pool.dataSource().evictConnection(raw);
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        switch (method.getName()) {
            case "close":
                close();
                return null;
            case "isClosed":
                if (closed.get()) {
                    return true;
                }
                break;
            case "unwrap":
                if (args[0] == Connection.class) {
                    return proxy;
                }
                break;
            case "equals":
                return proxy == args[0];
            case "hashCode":
                return System.identityHashCode(proxy);
            case "toString":
                return "Connection[" + pool.resource() + ", " + deadline + "]";
            default:
        }
        if (closed.get()) {
            throw new SQLException("connection of jdbc resource \"" + pool.resource() + "\" is closed", "08003");
        }
        Object result;
        try {
            result = method.invoke(raw, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
        if (pool.dialect() == Dialect.GENERIC && result instanceof Statement s) {
            // JDBC offers whole seconds only; round up so the statement never dies before the deadline.
            long ms = deadline.remainingMillis();
            s.setQueryTimeout((int) Math.max(1, (ms + 999) / 1000));
        }
        return result;
    }

    private void close() throws SQLException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            if (pool.dialect() == Dialect.POSTGRESQL && !raw.isClosed()) {
                // An aborted transaction refuses every command, RESET included; HikariCP would roll back anyway.
                if (!raw.getAutoCommit()) {
                    raw.rollback();
                    raw.setAutoCommit(true);
                }
                try (Statement s = raw.createStatement()) {
                    s.execute("RESET statement_timeout");
                }
            }
            raw.close();
        } catch (SQLException e) {
            // The connection is in an unknown state (server restarted, network lost): never lend it again.
            discard(pool, raw);
        } finally {
            pool.exit();
        }
    }
}
