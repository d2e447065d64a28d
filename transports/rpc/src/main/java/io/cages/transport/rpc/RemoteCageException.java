package io.cages.transport.rpc;

import io.cages.api.CageException;
import io.cages.api.ErrorCode;

/**
 * A failure the callee's host answered with: its {@link #code()} and message as the callee gave them, and
 * where it happened. Never carries a remote stack trace; the callee's log has the details.
 */
public final class RemoteCageException extends CageException {

    private static final long serialVersionUID = 1L;

    private final String host;
    private final String cage;
    private final String operation;
    private final boolean notExecuted;

    public RemoteCageException(ErrorCode code, String message, String host, String cage, String operation, boolean notExecuted) {
        super(code, message == null ? "" : message);
        this.host = host;
        this.cage = cage;
        this.operation = operation;
        this.notExecuted = notExecuted;
    }

    /**
     * True when the callee's host refused the call before any handler ran (no such cage there, at its limits,
     * shutting down, deadline gone): another copy may be tried whatever the operation.
     */
    public boolean notExecuted() {
        return notExecuted;
    }

    /** Name of the host that answered, as it calls itself. */
    public String host() {
        return host;
    }

    public String cage() {
        return cage;
    }

    public String operation() {
        return operation;
    }

    @Override
    public String toString() {
        return code() + " from cage '" + cage + "' operation '" + operation + "' on host '" + host + "': " + getMessage();
    }
}
