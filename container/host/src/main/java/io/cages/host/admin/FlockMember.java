package io.cages.host.admin;

import java.util.List;
import java.util.Map;

/**
 * A host of the flock as the directory sees it.
 *
 * @param name       host name
 * @param rpcAddress where its RPC transport listens, {@code host:port}
 * @param cages      its active cages as {@code name@version}
 * @param inFlight   requests running there when it last published
 * @param queued     requests waiting there for a slot when it last published
 * @param self       true for the host answering
 * @param health     its cages' statuses by cage name, as this host's health monitor last saw them (empty
 *                   before the first probe, or without a monitor)
 * @param adminUrl   where its admin API listens, {@code http://address:port}, as it publishes it; null when its
 *                   admin listener is off or it runs a build that does not publish it
 */
public record FlockMember(String name, String rpcAddress, List<String> cages, int inFlight, int queued, boolean self,
                          Map<String, HealthEntry> health, String adminUrl) {

    public FlockMember {
        health = health == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(health));
    }

    /** Without statuses and without an admin URL. */
    public FlockMember(String name, String rpcAddress, List<String> cages, int inFlight, int queued, boolean self) {
        this(name, rpcAddress, cages, inFlight, queued, self, Map.of(), null);
    }

    /** Without statuses (the directory's view alone). */
    public FlockMember(String name, String rpcAddress, List<String> cages, int inFlight, int queued, boolean self, String adminUrl) {
        this(name, rpcAddress, cages, inFlight, queued, self, Map.of(), adminUrl);
    }

    public FlockMember withHealth(Map<String, HealthEntry> statuses) {
        return new FlockMember(name, rpcAddress, cages, inFlight, queued, self, statuses, adminUrl);
    }
}
