/**
 * The host's service provider interface, for the modules under {@code transports/} and {@code resources/}.
 *
 * <p>A {@link io.cages.host.spi.Transport} turns traffic into {@link io.cages.host.spi.InboundRequest}s for the
 * {@link io.cages.host.spi.Dispatcher} and writes back the {@link io.cages.host.spi.Reply}; a transport that
 * reaches other hosts may offer {@link io.cages.host.spi.RemoteCalls}, through which calls by name with no
 * local copy leave the host. A {@link io.cages.host.spi.ResourceProvider} gives cages their databases, queues
 * and transactions. Both are found with {@link java.util.ServiceLoader}. A reply may be streamed
 * ({@link io.cages.host.spi.ReplyStream}): a transport either opens it with a
 * {@link io.cages.host.spi.StreamSink} of its own or collects it ({@link io.cages.host.spi.Reply#collected}).
 *
 * <p>Shared helpers for those modules: {@link io.cages.host.spi.Settings} reads a settings object strictly,
 * {@link io.cages.host.spi.Failures} unwraps future failures into {@link io.cages.api.CageException}s,
 * {@link io.cages.host.spi.HostJson} is the one mapper for JSON text of host-side values,
 * {@link io.cages.host.spi.CageFileFolder} scans a folder of per-cage JSON files (cage configs, jobs) for changes.
 *
 * <p>{@link io.cages.host.spi.Drain} counts users in and out of what is being retired (a cage version, a pool,
 * a resource) and closes it once they left or at a deadline: the host's one way to drain and retire.
 */
package io.cages.host.spi;
