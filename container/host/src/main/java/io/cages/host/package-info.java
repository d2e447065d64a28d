/**
 * The host as a launcher sees it: {@link io.cages.host.Host} starts an embedded Felix framework, deploys the
 * cages found in its deploy folder and starts every transport and resource provider found with
 * {@link java.util.ServiceLoader}; {@link io.cages.host.HostConfig} is its configuration and
 * {@link io.cages.host.Main} its command line. Cages never see this package (they import only
 * {@code io.cages.api}).
 *
 * <p>Beside it: {@code io.cages.host.spi}, what transports and resource providers implement and use;
 * {@code io.cages.host.admin}, the operations and records an operator's tools see. Everything under
 * {@code io.cages.host.internal} is private to this module.
 */
package io.cages.host;
