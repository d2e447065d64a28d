package io.cages.resources.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

/** Work done with one borrowed connection; see {@link JdbcResource#use}. */
@FunctionalInterface
public interface SqlWork<T> {
    T apply(Connection connection) throws SQLException;
}
