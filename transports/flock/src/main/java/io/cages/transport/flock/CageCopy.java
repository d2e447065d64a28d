package io.cages.transport.flock;

import java.net.InetSocketAddress;
import java.util.Set;

/**
 * One copy of a cage on another host, as the flock's directory knows it.
 *
 * @param host       the host's name
 * @param address    its RPC address
 * @param version    the active version there
 * @param idempotent operations that copy declares safe to repeat
 * @param load       requests running and queued on that host when it last published
 */
public record CageCopy(String host, InetSocketAddress address, String version, Set<String> idempotent, int load) {

    public CageCopy {
        idempotent = idempotent == null ? Set.of() : Set.copyOf(idempotent);
    }
}
