package io.cages.resources.jdbc.internal;

import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.api.ErrorCode;
import io.cages.resources.jdbc.JdbcResource;
import io.cages.resources.jdbc.PoolMetrics;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/**
 * The stable handle cages hold. It borrows from whatever pool is current, so a reconnect swaps pools
 * underneath without the cage noticing.
 */
public final class ResourceHandle implements JdbcResource {

    private final String name;
    /** CONCURRENCY: replaced by reconfigure; null once the resource is removed. */
    private volatile Pool current;

    public ResourceHandle(String name, Pool pool) {
        this.name = name;
        this.current = pool;
    }

    public Pool pool() {
        return current;
    }

    public void switchTo(Pool pool) {
        current = pool;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Connection connection(Deadline deadline) throws CageException {
        int attempts = 0;
        while (true) {
            Pool pool = current;
            if (pool == null) {
                throw CageException.unavailable("jdbc resource \"" + name + "\" has been removed");
            }
            if (!pool.enter()) {
                continue; // retired between the read and the count: the new pool is already current
            }
            try {
                Connection raw = acquire(pool, deadline);
                try {
                    return DeadlineConnection.wrap(pool, raw, deadline);
                } catch (SQLException e) {
                    // A connection that died while idle (server restarted) fails the check in wrap, before the
                    // caller sent anything; the pool replaces it. Every idle one may be stale, so retry up to the
                    // pool size within the deadline.
                    DeadlineConnection.discard(pool, raw);
                    if (++attempts <= pool.settings().maxPoolSize() && !deadline.isExpired() && isConnectionLoss(e)) {
                        pool.exit();
                        continue;
                    }
                    throw JdbcErrorsBridge.translate(name, deadline, e);
                }
            } catch (CageException | RuntimeException e) {
                pool.exit();
                throw e;
            }
        }
    }

    /**
     * Waits at most the smaller of connectionTimeout and the time left. HikariCP's DataSource only has the
     * pool-wide connectionTimeout, so we borrow from its pool with a timeout per call, on the caller's thread.
     */
    private Connection acquire(Pool pool, Deadline deadline) throws CageException {
        long remaining = deadline.remainingMillis();
        if (remaining <= 0) {
            throw CageException.deadlineExceeded("jdbc resource \"" + name + "\": deadline passed before a connection was requested");
        }
        long bound = Math.min(pool.settings().connectionTimeoutMs(), remaining);
        try {
            return pool.borrow(bound);
        } catch (SQLException e) {
            if (e instanceof SQLTransientConnectionException && e.getCause() == null) {
                throw exhausted(pool, bound, e);
            }
            throw new CageException(ErrorCode.UNAVAILABLE, "jdbc resource \"" + name + "\": cannot get a connection ("
                    + e.getMessage() + "); pool " + pool.metrics(), e);
        }
    }

    private static boolean isConnectionLoss(SQLException e) {
        return e.getSQLState() != null && (e.getSQLState().startsWith("08") || e.getSQLState().startsWith("57P"));
    }

    private CageException exhausted(Pool pool, long waitedMs, Throwable cause) {
        return new CageException(ErrorCode.UNAVAILABLE, "jdbc resource \"" + name + "\": no connection free within "
                + waitedMs + " ms (pool " + pool.metrics() + ")", cause);
    }

    @Override
    public PoolMetrics metrics() {
        Pool pool = current;
        return pool == null ? new PoolMetrics(0, 0, 0, 0, 0) : pool.metrics();
    }

    @Override
    public String toString() {
        return "JdbcResource[" + name + "]";
    }
}
