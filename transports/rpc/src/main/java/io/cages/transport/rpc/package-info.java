/**
 * Cage-to-cage RPC: {@link io.cages.transport.rpc.RpcTransport} (the server side, a host
 * {@link io.cages.host.spi.Transport}) and {@link io.cages.transport.rpc.RpcClient} (the calling side), both
 * configured by {@link io.cages.transport.rpc.RpcSettings}.
 *
 * <p>Wire format, version 1 (full layout, limits and the choice of Smile in {@code FORMAT.md} of this module):
 * length-prefixed frames over TCP; each frame is {@code u32 length | u16 magic 0xCA6E | u8 version 1 |
 * u8 type | i64 request id | fields of the type}. Types: REQUEST, RESPONSE, ERROR, PING, PONG, CANCEL
 * (reserved). A REQUEST carries flags (idempotent, durable), the caller's remaining deadline in ms, caller, cage,
 * operation, trace id, content type, the parameter tree in Smile, the raw body and, only with the durable flag,
 * a durable call's key (the callee runs it once per key, attribute {@code durable.key}). Requests are multiplexed
 * per connection and may be answered out of order.
 *
 * <p>Failures reach callers as {@link io.cages.api.CageException}s: a
 * {@link io.cages.transport.rpc.RemoteCageException} when the callee's host answered with an error, an
 * {@link io.cages.transport.rpc.RpcConnectionException} (delivered or provably not) when the connection
 * failed.
 */
package io.cages.transport.rpc;
