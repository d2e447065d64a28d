package io.cages.host.internal;

/** A deployment that cannot go ahead, with a reason fit for an operator. */
final class DeployException extends Exception {

    private static final long serialVersionUID = 1L;

    public DeployException(String message) {
        super(message);
    }

    public DeployException(String message, Throwable cause) {
        super(message, cause);
    }
}
