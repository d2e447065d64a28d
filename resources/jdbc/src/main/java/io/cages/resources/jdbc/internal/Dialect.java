package io.cages.resources.jdbc.internal;

/** How the remaining deadline is imposed on statements, by database. */
public enum Dialect {
    /**
     * PostgreSQL: {@code SET statement_timeout} once per borrow. The server cancels the statement itself, with
     * millisecond precision, and no client timer thread is involved.
     */
    POSTGRESQL,
    /** Everything else: {@code Statement.setQueryTimeout}, which JDBC only offers in whole seconds. */
    GENERIC;

    static Dialect of(String url) {
        return url.startsWith("jdbc:postgresql:") ? POSTGRESQL : GENERIC;
    }
}
