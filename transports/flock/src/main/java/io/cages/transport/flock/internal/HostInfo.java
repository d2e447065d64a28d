package io.cages.transport.flock.internal;

import java.util.List;

/**
 * What a host publishes to its flock: who it is, where its RPC listener is, which cages it runs and how
 * busy it is (requests running and queued). Sent as JSON; {@code seq} grows with each publication so a late, older message is ignored.
 */
record HostInfo(String name, String flock, String rpcHost, int rpcPort, List<CageEntry> cages, int inFlight, int queued, long seq) {

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
                && cages.equals(other.cages) && inFlight == other.inFlight && queued == other.queued;
    }
}
