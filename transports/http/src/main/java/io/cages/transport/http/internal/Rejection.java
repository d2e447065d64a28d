package io.cages.transport.http.internal;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * A request refused by a handler in front of the {@link ConnectionHandler} (the body aggregator), passed
 * down the pipeline as a message instead of being written on the spot, so that its error response still
 * leaves in request order behind earlier pipelined responses. The connection is closed after it.
 *
 * @param status       HTTP status of the refusal
 * @param error        error name for the JSON body
 * @param message      what was wrong, for the client
 * @param rawRequestId the client's {@code X-Request-Id} header as sent (checked later), or null
 */
record Rejection(HttpResponseStatus status, String error, String message, String rawRequestId) {
}
