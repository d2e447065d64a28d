package io.cages.cagectl;

/**
 * An expected failure with a message meant for the user and the exit code to leave with. {@code cagectl}
 * prints the message (never a stack trace) and exits with {@link #exitCode()}.
 */
public class CageCtlException extends RuntimeException {

    private final int exitCode;

    public CageCtlException(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
