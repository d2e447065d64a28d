package io.cages.resources.jdbc.internal;

/** How the remaining deadline is imposed on statements, by database. */
enum Dialect {
    /**
     * PostgreSQL: every execution is watched by the pool's {@link StatementWatchdog}, which cancels it if it
     * still runs at the deadline (the server then fails it with SQLState 57014), with millisecond precision and
     * no round trip added. Borrowed connections are also checked for a goodbye from the server (see
     * {@link DeadlineConnection#wrap}).
     */
    POSTGRESQL,
    /** Everything else: {@code Statement.setQueryTimeout} before every execution, in whole seconds (JDBC's unit). */
    GENERIC;

    static Dialect of(String url) {
        return url.startsWith("jdbc:postgresql:") ? POSTGRESQL : GENERIC;
    }
}
