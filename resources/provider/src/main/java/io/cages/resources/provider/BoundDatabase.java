package io.cages.resources.provider;

import io.cages.api.CageException;
import io.cages.api.Database;
import io.cages.api.Deadline;
import io.cages.api.SqlWork;
import io.cages.resources.jdbc.JdbcErrors;
import io.cages.resources.jdbc.JdbcResource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Supplier;
import io.cages.resources.provider.Lookup;

/**
 * A cage's handle on a database: looked up by name on each use, under the current request's deadline. While
 * the thread handles a durable call whose dedupe table is in this database, work joins that call's
 * transaction, so it commits with the call's key.
 */
record BoundDatabase(String name, Lookup<JdbcResource> databases, Supplier<Deadline> deadline) implements Database {

    @Override
    public <T> T use(SqlWork<T> work) throws CageException {
        Connection joined = DurableCalls.joinedOn(name);
        if (joined != null) {
            try {
                return work.apply(joined);
            } catch (SQLException e) {
                throw JdbcErrors.translate(name, deadline.get(), e);
            }
        }
        return databases.get(name).use(deadline.get(), work);
    }

    @Override
    public Connection connection() throws CageException {
        Connection joined = DurableCalls.joinedOn(name);
        return joined != null ? joined : databases.get(name).connection(deadline.get());
    }
}
