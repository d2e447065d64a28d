package io.cages.host.spi;

import io.cages.host.spi.Reply;

/**
 * A reply from another host.
 *
 * @param reply the callee's reply
 * @param host  the name of the host that answered
 */
public record RemoteReply(Reply reply, String host) {
}
