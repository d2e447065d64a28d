package io.cages.resources.tx;

import io.cages.api.CageException;
import io.cages.api.ErrorCode;
import java.util.List;

/**
 * A commit failed after at least one earlier participant had already committed (best-effort group commit
 * cannot undo those). {@link #committed()} stay committed; {@link #notCommitted()} (the one whose commit failed
 * and every later one) were rolled back.
 */
public final class PartialCommitException extends CageException {

    private static final long serialVersionUID = 1L;

    private final List<String> committed;
    private final List<String> notCommitted;

    public PartialCommitException(ErrorCode code, String message, List<String> committed, List<String> notCommitted,
                                  Throwable cause) {
        super(code, message, cause);
        this.committed = List.copyOf(committed);
        this.notCommitted = List.copyOf(notCommitted);
    }

    /** Participants (as {@link Participant#describe()}) whose commit succeeded. */
    public List<String> committed() {
        return committed;
    }

    /** The participant whose commit failed, then the ones rolled back after it. */
    public List<String> notCommitted() {
        return notCommitted;
    }
}
