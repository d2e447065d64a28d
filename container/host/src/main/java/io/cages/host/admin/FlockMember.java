package io.cages.host.admin;

import java.util.List;

/**
 * A host of the flock as the directory sees it.
 *
 * @param name       host name
 * @param rpcAddress where its RPC transport listens, {@code host:port}
 * @param cages      its active cages as {@code name@version}
 * @param inFlight   requests running there when it last published
 * @param queued     requests waiting there for a slot when it last published
 * @param self       true for the host answering
 */
public record FlockMember(String name, String rpcAddress, List<String> cages, int inFlight, int queued, boolean self) {
}
