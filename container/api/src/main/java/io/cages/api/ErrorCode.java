package io.cages.api;

/**
 * The kinds of failure every transport knows how to express. Each transport maps them to its own protocol
 * (the HTTP transport to status codes, RPC and JMS carry the name); the API itself knows no protocol.
 */
public enum ErrorCode {
    /** The request itself is wrong: missing or malformed parameters. Retrying it will not help. */
    BAD_REQUEST,
    /** No such cage, operation or entity. */
    NOT_FOUND,
    /** The cage cannot take the request now (overloaded, starting, stopping); retrying later may succeed. */
    UNAVAILABLE,
    /** The request's deadline passed before it could be answered. */
    DEADLINE_EXCEEDED,
    /** The handler failed unexpectedly. Details stay in the host's log. */
    INTERNAL,
    /**
     * The flock's call policy does not let this caller call this cage and operation. Nothing was executed, and
     * another copy of the cage would answer the same: it is not retried.
     */
    FORBIDDEN
}
