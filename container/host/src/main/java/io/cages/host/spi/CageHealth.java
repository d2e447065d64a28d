package io.cages.host.spi;

/**
 * One cage's health on the host that runs it, as that host's probe answer says.
 *
 * @param cage    the cage
 * @param version its active version, or null when it has none
 * @param status  {@code up}, {@code degraded} or {@code down} (see {@link io.cages.host.admin.HealthEntry})
 * @param reason  why it is not up, or null
 */
public record CageHealth(String cage, String version, String status, String reason) {
}
