package io.cages.host.spi;

import io.cages.api.CageException;
import io.cages.api.ErrorCode;

/**
 * A request the host refused before any handler ran: no such cage, the cage at its limits, the host shutting
 * down, the deadline gone before it could start. Nothing was executed, so a caller may send it to another
 * copy whatever the operation; transports carry this fact to remote callers.
 */
public final class RefusedException extends CageException {

    private static final long serialVersionUID = 1L;

    public RefusedException(ErrorCode code, String message) {
        super(code, message);
    }
}
