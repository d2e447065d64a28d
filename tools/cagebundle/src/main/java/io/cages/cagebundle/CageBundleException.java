package io.cages.cagebundle;

/** A cage project that cannot become a bundle: no bnd.bnd, no compiled classes, or bnd's errors. */
public final class CageBundleException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public CageBundleException(String message) {
        super(message);
    }

    public CageBundleException(String message, Throwable cause) {
        super(message, cause);
    }
}
