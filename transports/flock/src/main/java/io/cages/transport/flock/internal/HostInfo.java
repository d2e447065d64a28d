package io.cages.transport.flock.internal;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import java.util.Objects;

/**
 * What a host publishes to its flock: who it is, where its RPC listener and its admin API are, which cages it
 * runs and how busy it is (requests running and queued). Sent as JSON; {@code seq} grows with each publication so
 * a late, older message is ignored. {@code adminUrl} is null from a host whose admin listener is off or whose build
 * predates it; fields a later build adds are ignored, so members of mixed builds still read each other.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record HostInfo(String name, String flock, String rpcHost, int rpcPort, List<CageEntry> cages, int inFlight, int queued, long seq,
                String adminUrl) {

    /** One active cage: name, version and the operations it declares idempotent. */
    record CageEntry(String name, String version, List<String> idempotent) {
    }

    public HostInfo {
        cages = cages == null ? List.of() : List.copyOf(cages);
    }

    boolean runs(String cage) {
        return cages.stream().anyMatch(c -> c.name().equals(cage));
    }

    /** Same content, ignoring the sequence number. */
    boolean sameAs(HostInfo other) {
        return other != null && name.equals(other.name) && rpcHost.equals(other.rpcHost) && rpcPort == other.rpcPort
                && cages.equals(other.cages) && inFlight == other.inFlight && queued == other.queued
                && Objects.equals(adminUrl, other.adminUrl);
    }
}
