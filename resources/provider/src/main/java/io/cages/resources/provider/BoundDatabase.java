package io.cages.resources.provider;

import io.cages.api.CageException;
import io.cages.api.Database;
import io.cages.api.Deadline;
import io.cages.api.SqlWork;
import io.cages.resources.jdbc.JdbcResource;
import java.sql.Connection;
import java.util.function.Supplier;
import io.cages.resources.provider.Lookup;

/** A cage's handle on a database: looked up by name on each use, under the current request's deadline. */
record BoundDatabase(String name, Lookup<JdbcResource> databases, Supplier<Deadline> deadline) implements Database {

    @Override
    public <T> T use(SqlWork<T> work) throws CageException {
        return databases.get(name).use(deadline.get(), work);
    }

    @Override
    public Connection connection() throws CageException {
        return databases.get(name).connection(deadline.get());
    }
}
