package io.cages.host.spi;

import io.cages.api.CageException;
import io.cages.api.CageState;
import io.cages.api.Transaction;

/**
 * Cage state ({@code context.state()}), offered by a {@link ResourceProvider} that also implements this
 * interface. The host owns the fencing facts ({@link StateFence}, one per cage version) and tells the store
 * when a version becomes active ({@link #activate}); the store keeps the epoch of each cage name in the state
 * database and checks it, in that database, on every write.
 *
 * @since the cage API 2.2
 */
public interface StateStore {

    /** The state of {@code fence}'s cage as that version sees it; writes are checked against the fence. */
    CageState state(StateFence fence);

    /** A transaction under the current request's deadline whose state parts are fenced by {@code fence}. */
    Transaction transaction(StateFence fence);

    /**
     * Called by the swap coordinator just before {@code version} of {@code cage} gets new requests: it joins the
     * cage's epoch when the epoch already names this version, else bumps it (from then on, writes of other versions
     * are refused). Returns the epoch, or 0 when the store is an embedded database nobody opened yet (no state
     * was ever used on this host since it started): the version then takes the epoch at its first write.
     *
     * @throws CageException when the state database cannot be reached; the swap then does not take place
     */
    long activate(String cage, String version) throws CageException;
}
