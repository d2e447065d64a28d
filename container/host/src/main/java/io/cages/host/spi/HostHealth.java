package io.cages.host.spi;

import java.util.List;

/**
 * A host's answer to a health probe: who it is, when it started (a change means it restarted) and its cages.
 *
 * @param host      the host's name
 * @param startedAt when this run of the host started (epoch ms): its incarnation
 * @param cages     every cage it has, each with its status
 */
public record HostHealth(String host, long startedAt, List<CageHealth> cages) {

    public HostHealth {
        cages = cages == null ? List.of() : List.copyOf(cages);
    }
}
