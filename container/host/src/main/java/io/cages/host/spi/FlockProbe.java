package io.cages.host.spi;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Probes the other hosts of the flock for the health monitor, over the network. Offered by the transport that
 * knows the flock ({@link TransportContext#offerFlockProbe}); without one the monitor watches this host alone.
 */
public interface FlockProbe {

    /** The other hosts in the flock's membership now, by name. */
    List<String> peers();

    /**
     * Asks {@code host} for its cages' health ({@link TransportContext#localHealth()} there). Completes with its
     * answer, or exceptionally when it did not answer within {@code timeoutMs} or refused; never throws.
     */
    CompletableFuture<HostHealth> probe(String host, long timeoutMs);
}
