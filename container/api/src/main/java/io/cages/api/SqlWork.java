package io.cages.api;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Work done on one borrowed database connection; see {@link Database#use} and {@link Transaction#sql}.
 *
 * @param <T> what the work returns
 * @since 1.2
 */
@FunctionalInterface
public interface SqlWork<T> {
    T apply(Connection connection) throws SQLException;
}
