/**
 * Implementation of the HTTP transport; not API, even where a class is public to be reachable from
 * {@code io.cages.transport.http}.
 *
 * <p>Per connection the pipeline is {@code IdleStateHandler -> HttpServerCodec -> BodyLimitAggregator ->}
 * a {@link io.cages.transport.http.internal.ConnectionHandler} ({@code CageRequestHandler} or
 * {@code AdminRequestHandler}), built by {@code HttpPipelines}. {@code ConnectionHandler} owns the HTTP/1.1
 * connection rules (response order, keep-alive, backpressure, protocol errors); its subclasses map one
 * request to one response.
 */
package io.cages.transport.http.internal;
