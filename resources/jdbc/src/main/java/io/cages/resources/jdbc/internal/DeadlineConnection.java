package io.cages.resources.jdbc.internal;

import io.cages.api.Deadline;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A borrowed connection that carries the request deadline into the statements made on it. Nothing is sent to
 * the database for that, neither per borrow nor per statement. Every {@code Statement}, {@code PreparedStatement}
 * and {@code CallableStatement} created here is wrapped, and each {@code execute*} on it:
 *
 * <ul>
 *   <li>fails at once with SQLState 57014 (what a cancelled statement reports), without reaching the database,
 *       if the deadline has passed;</li>
 *   <li>on PostgreSQL, is watched by the pool's {@link StatementWatchdog}, which cancels it if it still runs at
 *       the deadline ({@code Statement.cancel()}: the server cancels it with 57014);</li>
 *   <li>elsewhere, gets JDBC's {@code setQueryTimeout} with the time left then, in whole seconds rounded up.</li>
 * </ul>
 *
 * <p>Before, the timeout was {@code SET statement_timeout} on lend and {@code RESET} on return: two extra round
 * trips per borrow, which cost two thirds of the throughput on short queries. That SET was also what found
 * connections the server had closed while they sat idle in the pool; {@link #wrap} now asks the socket
 * instead (see there).
 */
final class DeadlineConnection implements InvocationHandler {

    private static final ClassLoader LOADER = Connection.class.getClassLoader();
    private static final Class<?>[] CONNECTION = {Connection.class};
    private static final Class<?>[] STATEMENT = {Statement.class};
    private static final Class<?>[] PREPARED = {PreparedStatement.class};
    private static final Class<?>[] CALLABLE = {CallableStatement.class};

    private final Pool pool;
    private final Connection raw;
    private final Deadline deadline;
    /** The deadline as a System.nanoTime() value, for the watchdog. */
    private final long dueNanos;
    private final AtomicBoolean closed = new AtomicBoolean();
    private Connection proxy;

    private DeadlineConnection(Pool pool, Connection raw, Deadline deadline) {
        this.pool = pool;
        this.raw = raw;
        this.deadline = deadline;
        this.dueNanos = System.nanoTime() + deadline.remainingNanos();
    }

    /**
     * Wraps a connection just borrowed from HikariCP.
     *
     * <p>Liveness, on PostgreSQL: HikariCP validates (one round trip) only connections idle for more than
     * 500 ms, so after a server restart the connections used just before it are lent unchecked, and the
     * first statement on each would fail. A backend that the server ends while idle (shutdown, restart,
     * {@code pg_terminate_backend}, idle timeouts) sends a FATAL before it closes the socket, and an idle
     * autocommit connection receives nothing otherwise: so unread bytes on the socket (one FIONREAD, see
     * {@link PgJdbc#hasUnreadInput}) mean "probably dead", confirmed with {@code isValid} (a NOTIFY for a
     * listening session would be the false alarm). A dead one fails here with SQLState 08006, before the
     * caller sent anything; {@link ResourceHandle#connection} then evicts it and borrows again within the
     * deadline. We deliberately do not instead retry a caller's first statement that fails on a lost
     * connection: whether the server ran it before the connection broke cannot be told from the client, and an
     * autocommit INSERT would then run twice.
     *
     * @throws SQLException with a connection-class SQLState (08xxx) if the connection is dead
     */
    static Connection wrap(Pool pool, Connection raw, Deadline deadline) throws SQLException {
        if (pool.dialect() == Dialect.POSTGRESQL && PgJdbc.hasUnreadInput(raw)) {
            long ms = Math.min(pool.settings().validationTimeoutMs(), Math.max(1, deadline.remainingMillis()));
            if (!raw.isValid((int) ((ms + 999) / 1000))) {
                throw new SQLNonTransientConnectionException("jdbc resource \"" + pool.resource()
                        + "\": the server closed the connection while it was idle in the pool", "08006");
            }
        }
        DeadlineConnection handler = new DeadlineConnection(pool, raw, deadline);
        handler.proxy = (Connection) Proxy.newProxyInstance(LOADER, CONNECTION, handler);
        return handler.proxy;
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
            case "equals", "hashCode", "toString":
                return objectMethod(method.getName(), proxy, args, "Connection");
            default:
        }
        if (closed.get()) {
            throw new SQLException("connection of jdbc resource \"" + pool.resource() + "\" is closed", "08003");
        }
        Object result = call(raw, method, args);
        if (result instanceof Statement s) {
            Class<?>[] type = result instanceof CallableStatement ? CALLABLE
                    : result instanceof PreparedStatement ? PREPARED : STATEMENT;
            if (pool.dialect() != Dialect.POSTGRESQL) {
                // Also limited now, in case it is run through a path we do not see (ResultSet.getStatement()).
                limit(s, 0);
            }
            return Proxy.newProxyInstance(LOADER, type, new DeadlineStatement(s));
        }
        return result;
    }

    /**
     * Fails if no time is left before an execution: JDBC has no zero timeout (0 means "none"), and the request
     * is over anyway.
     */
    private void checkNotExpired() throws SQLException {
        if (deadline.isExpired()) {
            throw new SQLTimeoutException("jdbc resource \"" + pool.resource()
                    + "\": request deadline passed before the statement was sent", "57014");
        }
    }

    /**
     * Other databases: sets {@code s}'s query timeout to the time left (whole seconds, rounded up), or to the
     * caller's own {@code ownMs} if that is shorter (0: none).
     */
    private void limit(Statement s, long ownMs) throws SQLException {
        long ms = Math.max(1, (deadline.remainingNanos() + 999_999) / 1_000_000);
        if (ownMs > 0) {
            ms = Math.min(ms, ownMs);
        }
        s.setQueryTimeout((int) Math.min(Integer.MAX_VALUE, (ms + 999) / 1000));
    }

    private void close() throws SQLException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            // HikariCP rolls back an open transaction and resets what the borrower changed (autocommit, ...).
            raw.close();
        } catch (SQLException e) {
            // The connection is in an unknown state (server restarted, network lost): never lend it again.
            discard(pool, raw);
        } finally {
            pool.exit();
        }
    }

    /** A statement made on this connection: the deadline is applied to each execution. */
    private final class DeadlineStatement implements InvocationHandler {
        private final Statement raw;
        /**
         * Other databases: what the caller set with setQueryTimeout, in ms; 0 = nothing. The shorter of it and
         * the deadline wins. (On PostgreSQL the caller's timeout goes to pgjdbc as it is, the deadline to the
         * watchdog, and whichever comes first cancels.)
         */
        private long ownTimeoutMs;

        DeadlineStatement(Statement raw) {
            this.raw = raw;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            if (name.startsWith("execute")) { // execute, executeQuery, executeUpdate, executeBatch, executeLarge*
                checkNotExpired();
                if (pool.dialect() == Dialect.POSTGRESQL) {
                    try (StatementWatchdog.Watch watch = pool.watchdog().watch(raw, dueNanos)) {
                        return call(raw, method, args);
                    }
                }
                limit(raw, ownTimeoutMs);
            } else {
                switch (name) {
                    case "setQueryTimeout":
                        if (pool.dialect() == Dialect.POSTGRESQL || (Integer) args[0] < 0) {
                            break; // to the driver as it is (which rejects a negative one)
                        }
                        ownTimeoutMs = 1000L * (Integer) args[0];
                        limit(raw, ownTimeoutMs);
                        return null;
                    case "getConnection":
                        return DeadlineConnection.this.proxy;
                    case "unwrap":
                        if (((Class<?>) args[0]).isInstance(proxy)) {
                            return proxy;
                        }
                        break;
                    case "isWrapperFor":
                        if (((Class<?>) args[0]).isInstance(proxy)) {
                            return true;
                        }
                        break;
                    case "equals", "hashCode", "toString":
                        return objectMethod(name, proxy, args, "Statement");
                    default:
                }
            }
            return call(raw, method, args);
        }
    }

    /** A proxy's own equals and hashCode (by identity: a proxy equals only itself) and toString (for logs). */
    private Object objectMethod(String method, Object proxy, Object[] args, String kind) {
        return switch (method) {
            case "equals" -> proxy == args[0];
            case "hashCode" -> System.identityHashCode(proxy);
            default -> kind + "[" + pool.resource() + ", " + deadline + "]";
        };
    }

    /** The call on the wrapped object, throwing what it threw (not the reflection wrapper). */
    private static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
