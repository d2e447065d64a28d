/**
 * Process cages: cages in any language. {@link io.cages.process.ProcessRuntime} is the host's
 * {@link io.cages.host.spi.CageRuntime} for archives with a {@code cage.json} at their root; see the module's
 * README for the manifest and the two protocols (per-request and pool).
 */
package io.cages.process;
