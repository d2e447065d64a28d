package io.cages.resources.jdbc.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariConfigMXBean;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import com.zaxxer.hikari.pool.HikariPool;
import io.cages.api.CageException;
import io.cages.api.ErrorCode;
import io.cages.host.spi.Drain;
import io.cages.resources.jdbc.JdbcSettings;
import io.cages.resources.jdbc.PoolMetrics;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HikariCP pool and what we track beside it: the settings it runs with and, in a {@link Drain}, how many
 * connections our callers hold, so a retired pool is closed only once all of them came back (HikariCP's own
 * close aborts connections still in use, which would fail in-flight work).
 */
public final class Pool {

    private static final Logger LOG = LoggerFactory.getLogger(Pool.class);

    private final String resource;
    private final HikariDataSource dataSource;
    /** The pool behind {@link #dataSource}, whose borrow takes a timeout per call. */
    private final HikariPool hikariPool;
    private final Dialect dialect;
    /** Cancels PostgreSQL statements at their deadline (see {@link DeadlineConnection}). */
    private final StatementWatchdog watchdog;
    /** Counts lent connections; closes the pool once a retired pool has them all back (or at the grace). */
    private final Drain lent;
    /** CONCURRENCY: written by reconfigure (one at a time), read by every borrow. */
    private volatile JdbcSettings settings;

    private Pool(String resource, HikariDataSource dataSource, JdbcSettings settings) {
        this.resource = resource;
        this.dataSource = dataSource;
        // HikariDataSource exposes its pool only as the MXBean; HikariPool is public and exported (OSGi and
        // JPMS), and its getConnection(long) is what HikariDataSource.getConnection() calls with the pool-wide
        // connectionTimeout. A data source built from a config (as in start) creates its pool at once.
        this.hikariPool = (HikariPool) dataSource.getHikariPoolMXBean();
        this.settings = settings;
        this.dialect = Dialect.of(settings.url());
        this.watchdog = new StatementWatchdog(dataSource.getPoolName());
        this.lent = new Drain("jdbc resource " + resource + ": pool " + dataSource.getPoolName(), this::close);
    }

    /** Starts a pool; fails if the first connection cannot be made, so a bad config is caught up front. */
    public static Pool start(String resource, JdbcSettings s, int generation) throws CageException {
        HikariConfig c = new HikariConfig();
        c.setPoolName("cages-jdbc-" + resource + "-" + generation);
        c.setJdbcUrl(s.url());
        c.setUsername(s.username());
        c.setPassword(s.password());
        c.setMaximumPoolSize(s.maxPoolSize());
        c.setMinimumIdle(s.minIdle());
        c.setIdleTimeout(s.idleTimeoutMs());
        c.setMaxLifetime(s.maxLifetimeMs());
        c.setConnectionTimeout(s.connectionTimeoutMs());
        c.setValidationTimeout(s.validationTimeoutMs());
        try {
            HikariDataSource ds = new HikariDataSource(c);
            LOG.info("jdbc resource {}: pool {} started with {}", resource, c.getPoolName(), s);
            return new Pool(resource, ds, s);
        } catch (RuntimeException e) {
            // HikariCP's PoolInitializationException wraps the driver's reason; keep its message, not the URL's
            // query string, which may hold secrets.
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new CageException(ErrorCode.BAD_REQUEST, "jdbc resource \"" + resource
                    + "\": cannot connect to " + stripQuery(s.url()) + ": " + cause.getMessage(), e);
        }
    }

    public String resource() {
        return resource;
    }

    public JdbcSettings settings() {
        return settings;
    }

    public Dialect dialect() {
        return dialect;
    }

    public HikariDataSource dataSource() {
        return dataSource;
    }

    StatementWatchdog watchdog() {
        return watchdog;
    }

    /**
     * Borrows a connection, waiting at most {@code timeoutMs}. On timeout HikariCP throws
     * SQLTransientConnectionException.
     */
    Connection borrow(long timeoutMs) throws SQLException {
        if (!dataSource.isClosed()) {
            return hikariPool.getConnection(timeoutMs);
        }
        return dataSource.getConnection(); // closed: fails with HikariCP's message
    }

    /** Applies settings that HikariCP can change on a running pool; the caller checked sameDatabase. */
    public void adopt(JdbcSettings s) {
        HikariConfigMXBean mx = dataSource.getHikariConfigMXBean();
        // Grow before raising the floor and lower the floor before shrinking, so min <= max at every step.
        if (s.maxPoolSize() >= mx.getMaximumPoolSize()) {
            mx.setMaximumPoolSize(s.maxPoolSize());
            mx.setMinimumIdle(s.minIdle());
        } else {
            mx.setMinimumIdle(s.minIdle());
            mx.setMaximumPoolSize(s.maxPoolSize());
        }
        mx.setConnectionTimeout(s.connectionTimeoutMs());
        mx.setValidationTimeout(s.validationTimeoutMs());
        mx.setIdleTimeout(s.idleTimeoutMs());
        mx.setMaxLifetime(s.maxLifetimeMs());
        settings = s;
        LOG.info("jdbc resource {}: pool {} now runs with {}", resource, dataSource.getPoolName(), s);
    }

    /** Counts a borrow; false if the pool is retiring and the caller must use the current one instead. */
    boolean enter() {
        return lent.tryEnter();
    }

    void exit() {
        lent.leave();
    }

    /**
     * Stops lending and closes the pool once every borrowed connection came back, or after {@code grace}
     * (then HikariCP aborts the stragglers). Returns at once; the future completes when the pool is closed.
     */
    public CompletableFuture<Void> retire(Duration grace) {
        // Idle connections go now, busy ones as they are returned.
        HikariPoolMXBean mx = dataSource.getHikariPoolMXBean();
        if (mx != null) {
            mx.softEvictConnections();
        }
        return lent.retire(grace);
    }

    private void close() {
        dataSource.close();
        watchdog.stop();
        LOG.info("jdbc resource {}: pool {} closed", resource, dataSource.getPoolName());
    }

    public PoolMetrics metrics() {
        HikariPoolMXBean mx = dataSource.getHikariPoolMXBean();
        int max = dataSource.getHikariConfigMXBean().getMaximumPoolSize();
        if (mx == null) {
            return new PoolMetrics(0, 0, 0, 0, max);
        }
        return new PoolMetrics(mx.getActiveConnections(), mx.getIdleConnections(), mx.getTotalConnections(),
                mx.getThreadsAwaitingConnection(), max);
    }

    static String stripQuery(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q) + "?...";
    }
}
