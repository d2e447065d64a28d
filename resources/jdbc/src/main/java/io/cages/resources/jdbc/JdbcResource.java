package io.cages.resources.jdbc;

import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.api.SqlWork;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * One named database. The handle stays valid across {@link JdbcResources#reconfigure reconfiguration}: it
 * always borrows from the resource's current pool.
 */
public interface JdbcResource {

    String name();

    /**
     * Borrows a connection, waiting at most the smaller of the configured connection timeout and the time
     * left before {@code deadline}. Statements on it are cut off by the database when the deadline passes.
     * Close it (try-with-resources) to return it.
     *
     * @throws CageException DEADLINE_EXCEEDED if the deadline has already passed; UNAVAILABLE if the pool is
     *                       exhausted or the database cannot be reached, with the pool's counts
     */
    Connection connection(Deadline deadline) throws CageException;

    /**
     * Runs {@code work} on a borrowed connection and returns it, translating failures: a statement cut off
     * by the deadline becomes DEADLINE_EXCEEDED, a lost connection UNAVAILABLE, anything else INTERNAL.
     */
    default <T> T use(Deadline deadline, SqlWork<T> work) throws CageException {
        try (Connection c = connection(deadline)) {
            return work.apply(c);
        } catch (SQLException e) {
            throw JdbcErrors.translate(name(), deadline, e);
        }
    }

    /** Current counts of the pool behind this resource. */
    PoolMetrics metrics();
}
