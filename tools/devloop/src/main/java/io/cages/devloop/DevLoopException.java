package io.cages.devloop;

/** A problem the dev loop reports in one line and cannot work around (no project, no class path, ...). */
final class DevLoopException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    DevLoopException(String message) {
        super(message);
    }

    DevLoopException(String message, Throwable cause) {
        super(message, cause);
    }
}
