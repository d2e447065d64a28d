package io.cages.transport.http.internal;

/**
 * A request the transport cannot turn into an {@code InboundRequest}: malformed parameters, body or headers.
 * The message goes to the client as is, so it names the problem and never carries internals. No stack trace
 * is filled in: these are routine answers to bad input, not bugs.
 */
final class BadRequestException extends Exception {

    private static final long serialVersionUID = 1L;

    BadRequestException(String message) {
        super(message, null, false, false);
    }
}
