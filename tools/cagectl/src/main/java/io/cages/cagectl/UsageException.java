package io.cages.cagectl;

/**
 * A wrong command line: {@code cagectl} prints the message, points at the help of the command it was for, and
 * exits with {@link ExitCodes#USAGE}.
 */
final class UsageException extends CageCtlException {

    /** The command whose help to point at ({@code cagectl list}), or {@code cagectl} itself. */
    private final String commandName;

    UsageException(String commandName, String message) {
        super(ExitCodes.USAGE, message);
        this.commandName = commandName;
    }

    String commandName() {
        return commandName;
    }
}
