package io.cages.host.internal;

import io.cages.host.spi.StateFence;

/**
 * The fencing facts of one cage version (see {@link StateFence}): set by the swap coordinator through
 * {@link StateHandover}, read by the state store on every write.
 */
final class VersionFence implements StateFence {

    private final String cage;
    private final String version;
    private volatile long epoch;
    private volatile boolean active;
    private volatile boolean handedOver;
    private volatile boolean retired;

    VersionFence(String cage, String version) {
        this.cage = cage;
        this.version = version;
    }

    @Override
    public String cage() {
        return cage;
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public long epoch() {
        return epoch;
    }

    @Override
    public void hold(long epoch) {
        this.epoch = epoch;
    }

    @Override
    public boolean active() {
        return active && !handedOver;
    }

    @Override
    public boolean retired() {
        return retired;
    }

    @Override
    public boolean vouched() {
        return handedOver && !retired && CurrentRequest.get() instanceof HostRequest r
                && r.cage().equals(cage) && version.equals(r.revisionVersion());
    }

    /** The version is about to get new requests. */
    void activated(long epoch) {
        this.epoch = epoch;
        this.active = true;
    }

    /** New requests are about to go elsewhere: from now on only requests already admitted are vouched for. */
    void handedOver() {
        handedOver = true;
    }

    /** A handover that did not take place (the new version's epoch could not be taken). */
    void handOverUndone() {
        handedOver = false;
    }

    void markRetired() {
        retired = true;
    }
}
