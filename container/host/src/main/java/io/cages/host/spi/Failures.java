package io.cages.host.spi;

import io.cages.api.CageException;
import io.cages.api.ErrorCode;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** What transports and the host do with the failure of a future: find the real cause, make it a CageException. */
public final class Failures {

    private Failures() {
    }

    /** The failure itself, without the CompletionException and ExecutionException layers futures add. */
    public static Throwable cause(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** The cause as a CageException: itself when it is one, else INTERNAL with {@code what} and the cause. */
    public static CageException asCageException(Throwable failure, String what) {
        Throwable cause = cause(failure);
        return cause instanceof CageException c ? c : new CageException(ErrorCode.INTERNAL, what + ": " + cause, cause);
    }
}
