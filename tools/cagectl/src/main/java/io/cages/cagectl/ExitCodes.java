package io.cages.cagectl;

/** The exit codes of {@code cagectl}; scripts rely on them, so they never change meaning. */
public final class ExitCodes {

    /** The command did what was asked. */
    public static final int OK = 0;
    /** The host answered but the operation failed: a FAILED deploy record, or a 4xx/5xx answer. */
    public static final int FAILED = 1;
    /** The command line was wrong (unknown option, missing argument, unreadable jar, bad URL). */
    public static final int USAGE = 2;
    /** The admin API could not be reached (connection refused, unknown host, timeout). */
    public static final int UNREACHABLE = 3;

    private ExitCodes() {
    }
}
