package io.cages.process.internal;

/** A worker died (or was killed) while it held a request; {@code retryable} when it crashed rather than misbehaved. */
final class WorkerLost extends Exception {

    private static final long serialVersionUID = 1L;

    private final boolean retryable;

    WorkerLost(String message, boolean retryable) {
        super(message, null, false, false);
        this.retryable = retryable;
    }

    boolean retryable() {
        return retryable;
    }
}
