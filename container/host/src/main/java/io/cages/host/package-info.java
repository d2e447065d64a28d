/**
 * The host's public API, for transports and launchers (never for cages, which see only {@code io.cages.api}).
 *
 * <p>{@link io.cages.host.Host} starts an embedded Felix framework, deploys the cages found in its deploy
 * folder and starts every {@link io.cages.host.Transport} found with {@link java.util.ServiceLoader}.
 * Transports turn traffic into {@link io.cages.host.InboundRequest}s for the {@link io.cages.host.Dispatcher}
 * and may expose the {@link io.cages.host.Admin} operations. Everything under {@code io.cages.host.internal}
 * is private to this module.
 */
package io.cages.host;
