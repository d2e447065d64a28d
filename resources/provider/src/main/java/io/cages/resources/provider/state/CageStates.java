package io.cages.resources.provider.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cages.api.CageException;
import io.cages.api.CageState;
import io.cages.api.Deadline;
import io.cages.api.SqlWork;
import io.cages.api.StateWork;
import io.cages.host.spi.StateFence;
import io.cages.resources.jdbc.JdbcErrors;
import io.cages.resources.jdbc.JdbcResource;
import io.cages.resources.jdbc.JdbcResources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state database of a host: either an embedded H2 file database under the host's work folder, opened at
 * its first use (a host whose cages never use state never opens it), or a JDBC resource of the resources file
 * ({@code "state": {"database": "NAME"}}), typically PostgreSQL shared by several hosts. Creates its tables
 * idempotently at first use.
 */
public final class CageStates implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CageStates.class);
    /** The name of the embedded database's pool (in errors and the admin API). */
    public static final String EMBEDDED = "cage-state";

    private final Path embeddedDir;
    private final ResourceLookup configured;
    private final Supplier<Deadline> deadline;
    // CONCURRENCY: opened under this object's monitor; read lock-free once set.
    private volatile JdbcResource resource;
    private volatile StateSql sql;
    private JdbcResources embedded;

    /** Finds the configured resource at first use. */
    @FunctionalInterface
    public interface ResourceLookup {
        JdbcResource get() throws CageException;
    }

    private CageStates(Path embeddedDir, ResourceLookup configured, Supplier<Deadline> deadline) {
        this.embeddedDir = embeddedDir;
        this.configured = configured;
        this.deadline = deadline;
    }

    /** State in an embedded H2 database {@code dir/cages}, opened at first use. */
    public static CageStates embedded(Path dir, Supplier<Deadline> deadline) {
        return new CageStates(dir, null, deadline);
    }

    /** State in the configured database {@code resource} (looked up at first use). */
    public static CageStates on(ResourceLookup resource, Supplier<Deadline> deadline) {
        return new CageStates(null, resource, deadline);
    }

    /** JDBC URL of the embedded database: every commit written at once (WRITE_DELAY=0), lock waits up to 10 s. */
    public static String embeddedUrl(Path dir) {
        return "jdbc:h2:file:" + dir.resolve("cages").toAbsolutePath() + ";WRITE_DELAY=0;LOCK_TIMEOUT=10000";
    }

    /** True once the database was opened (always for a configured one: it is shared with other hosts). */
    public boolean opened() {
        return configured != null || resource != null;
    }

    private StateSql sql() throws CageException {
        resource();
        return sql;
    }

    private JdbcResource resource() throws CageException {
        JdbcResource r = resource;
        return r != null ? r : open();
    }

    private synchronized JdbcResource open() throws CageException {
        if (resource != null) {
            return resource;
        }
        // The first use usually comes from a cage's thread, whose context class loader is the cage bundle's: the
        // JDBC drivers (found by DriverManager through it, the first time) are on the host's class path.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(CageStates.class.getClassLoader());
        try {
            return openWithHostLoader();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private JdbcResource openWithHostLoader() throws CageException {
        JdbcResource r;
        String url;
        if (configured != null) {
            r = configured.get();
            url = null;
        } else {
            try {
                Files.createDirectories(embeddedDir);
            } catch (java.io.IOException e) {
                throw CageException.unavailable("cage state: cannot create " + embeddedDir + ": " + e.getMessage());
            }
            url = embeddedUrl(embeddedDir);
            ObjectNode cfg = JsonNodeFactory.instance.objectNode().put("url", url).put("maxPoolSize", 8).put("minIdle", 0);
            embedded = new JdbcResources(Map.<String, JsonNode>of(EMBEDDED, cfg), System::getenv, Duration.ofSeconds(5));
            r = embedded.get(EMBEDDED);
        }
        StateSql s;
        try (Connection c = r.connection(deadline.get())) {
            s = new StateSql(c.getMetaData().getURL().startsWith("jdbc:postgresql:"));
            createTables(c, s);
        } catch (SQLException e) {
            throw JdbcErrors.translate(r.name(), deadline.get(), e);
        }
        sql = s;
        resource = r;
        LOG.info("cage state in {}", url != null ? url : "jdbc resource \"" + r.name() + "\"");
        return r;
    }

    private static void createTables(Connection c, StateSql s) throws SQLException {
        try {
            s.createTables(c);
        } catch (SQLException e) {
            // Two hosts creating the tables at once on PostgreSQL: one of them loses on the catalog; the tables exist.
            s.createTables(c);
        }
    }

    /** The state of {@code fence}'s cage, each call a transaction of its own under the current deadline. */
    public CageState state(StateFence fence) {
        return new BoundState(fence.cage(), new BoundState.Access() {
            @Override
            public <T> T read(BoundState.SqlOp<T> op) throws CageException {
                JdbcResource r = resource();
                Deadline d = deadline.get();
                try (Connection c = r.connection(d)) {
                    return op.run(c, sql);
                } catch (SQLException e) {
                    throw JdbcErrors.translate(r.name(), d, e);
                }
            }

            @Override
            public <T> T write(BoundState.SqlOp<T> op) throws CageException {
                JdbcResource r = resource();
                takeEpochIfDue(fence);
                Deadline d = deadline.get();
                for (int attempt = 1; ; attempt++) {
                    try (Connection c = r.connection(d)) {
                        c.setAutoCommit(false);
                        try {
                            sql.admitWrite(c, fence);
                            T result = op.run(c, sql);
                            c.commit();
                            return result;
                        } catch (SQLException | CageException | RuntimeException e) {
                            rollback(c);
                            throw e;
                        }
                    } catch (SQLException e) {
                        // Two first writes of one field at once, where nothing serialized them (H2 before the cage had an
                        // epoch row): the loser rolled back whole and tries again, now as an update.
                        if (attempt < 3 && "23505".equals(e.getSQLState())) {
                            continue;
                        }
                        throw JdbcErrors.translate(r.name(), d, e);
                    }
                }
            }
        });
    }

    /**
     * A transaction's state parts, run in order as one participant (one connection: on H2 two would wait for
     * each other's lock on the epoch row): {@code works} on the participant's connection (autocommit off, committed by the group commit),
     * admitted by the fence once, before the work; the epoch row's lock is held until the part commits.
     */
    public SqlWork<List<Object>> part(StateFence fence, List<StateWork<?>> works) {
        return c -> {
            try {
                StateSql sql = sql();
                takeEpochIfDue(fence);
                sql.admitWrite(c, fence);
                BoundState.Access onConnection = new BoundState.Access() {
                    @Override
                    public <R> R read(BoundState.SqlOp<R> op) throws CageException {
                        return run(op);
                    }

                    @Override
                    public <R> R write(BoundState.SqlOp<R> op) throws CageException {
                        return run(op);
                    }

                    private <R> R run(BoundState.SqlOp<R> op) throws CageException {
                        try {
                            return op.run(c, sql);
                        } catch (SQLException e) {
                            throw JdbcErrors.translate(stateResourceName(), deadline.get(), e);
                        }
                    }
                };
                BoundState state = new BoundState(fence.cage(), onConnection);
                List<Object> results = new ArrayList<>(works.size());
                for (StateWork<?> work : works) {
                    results.add(work.apply(state));
                }
                return results;
            } catch (CageException e) {
                throw Sneaky.<RuntimeException>rethrow(e); // the group commit reports a CageException as it is
            }
        };
    }

    /** The pool a transaction part runs on. */
    public JdbcResource partResource() throws CageException {
        return resource();
    }

    private String stateResourceName() {
        JdbcResource r = resource;
        return r == null ? EMBEDDED : r.name();
    }

    /**
     * The active version takes the epoch at its first write when the embedded database was not open at its switch
     * (see {@link #activate}); in a transaction of its own, before the write's.
     */
    private void takeEpochIfDue(StateFence fence) throws CageException {
        if (fence.epoch() == 0 && fence.active()) {
            fence.hold(activate(fence.cage(), fence.version()));
        }
    }

    /** See {@link io.cages.host.spi.StateStore#activate}: 0 while the embedded database was never opened. */
    public long activate(String cage, String version) throws CageException {
        if (!opened()) {
            return 0;
        }
        JdbcResource r = resource();
        Deadline d = Deadline.afterMillis(10_000); // a swap, not a request: its own bound
        for (int attempt = 1; ; attempt++) {
            try (Connection c = r.connection(d)) {
                c.setAutoCommit(false);
                try {
                    long epoch = sql.activate(c, cage, version);
                    c.commit();
                    LOG.info("cage {} {} holds state epoch {}", cage, version, epoch);
                    return epoch;
                } catch (SQLException | RuntimeException e) {
                    rollback(c);
                    throw e;
                }
            } catch (SQLException e) {
                // Two hosts taking a new cage's first epoch at once: one INSERT loses on the key; the next try joins or bumps.
                if (attempt < 3 && "23505".equals(e.getSQLState())) {
                    continue;
                }
                throw JdbcErrors.translate(r.name(), d, e);
            }
        }
    }

    private static void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool discards it and the database rolls back
        }
    }

    @Override
    public synchronized void close() {
        if (embedded != null) {
            embedded.close();
            embedded = null;
        }
    }

    private static final class Sneaky {
        @SuppressWarnings("unchecked")
        static <E extends Throwable> E rethrow(Throwable t) throws E {
            throw (E) t;
        }
    }
}
