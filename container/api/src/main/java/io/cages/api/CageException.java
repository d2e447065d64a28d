package io.cages.api;

import java.util.Objects;

/**
 * A typed failure of a request. The {@link #code()} and {@link #getMessage() message} reach the caller;
 * the cause (if any) stays in the host's log and is never sent to a remote client.
 */
public class CageException extends Exception {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public CageException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public CageException(ErrorCode code, String message, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    public ErrorCode code() {
        return code;
    }

    public static CageException badRequest(String message) {
        return new CageException(ErrorCode.BAD_REQUEST, message);
    }

    public static CageException notFound(String message) {
        return new CageException(ErrorCode.NOT_FOUND, message);
    }

    public static CageException unavailable(String message) {
        return new CageException(ErrorCode.UNAVAILABLE, message);
    }

    public static CageException deadlineExceeded(String message) {
        return new CageException(ErrorCode.DEADLINE_EXCEEDED, message);
    }

    public static CageException internal(String message, Throwable cause) {
        return new CageException(ErrorCode.INTERNAL, message, cause);
    }

    @Override
    public String toString() {
        return code + ": " + getMessage();
    }
}
