package io.cages.host.internal;

import io.cages.api.CageException;

/**
 * The swap coordinator's one call into cage state: hands the cage's state epoch from the active version to the
 * one about to take its requests (see {@link io.cages.host.spi.StateStore}). The order matters for the drain
 * rule: the old version is marked handed over first, so requests it admits from here until the switch count as
 * admitted before the switch and may still write; then the epoch is taken in the state database; then the
 * caller switches.
 */
final class StateHandover {

    private StateHandover() {
    }

    /**
     * Takes the epoch for {@code next}. On failure the old version keeps its place and {@code next} is
     * discarded before the exception leaves.
     *
     * @throws DeployException naming the state database's refusal; the swap does not take place
     */
    static void handOver(CageRevision previous, CageRevision next) throws DeployException {
        if (previous != null) {
            previous.fence().handedOver();
        }
        try {
            next.fence().activated(next.activateState());
        } catch (CageException | RuntimeException e) {
            if (previous != null) {
                previous.fence().handOverUndone();
            }
            next.discard();
            throw new DeployException("the cage's state epoch could not be taken: " + CageRevision.describe(e), e);
        }
    }

    /** The version gets no new requests any more (undeploy, shutdown): only what it admitted may still write. */
    static void release(CageRevision old) {
        old.fence().handedOver();
    }
}
