package io.cages.api;

/**
 * The kinds of failure every transport knows how to express. HTTP maps them to status codes; RPC carries
 * the name.
 */
public enum ErrorCode {
    /** The request itself is wrong: missing or malformed parameters. Retrying it will not help. */
    BAD_REQUEST(400),
    /** No such cage, operation or entity. */
    NOT_FOUND(404),
    /** The cage cannot take the request now (overloaded, starting, stopping); retrying later may succeed. */
    UNAVAILABLE(503),
    /** The request's deadline passed before it could be answered. */
    DEADLINE_EXCEEDED(504),
    /** The handler failed unexpectedly. Details stay in the host's log. */
    INTERNAL(500);

    private final int httpStatus;

    ErrorCode(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    /** The HTTP status code this error maps to. */
    public int httpStatus() {
        return httpStatus;
    }
}
