/**
 * Hosts of a LAN as one flock. {@link io.cages.transport.flock.FlockTransport} joins the flock named in the host's
 * config ({@code transports.flock}), publishes which cages this host runs and how loaded it is, listens for
 * calls from other hosts (the RPC transport) and routes this host's calls by name to the other hosts' copies.
 */
package io.cages.transport.flock;
