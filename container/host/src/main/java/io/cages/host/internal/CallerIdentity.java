package io.cages.host.internal;

import io.cages.host.HostConfig;
import io.cages.host.spi.InboundRequest;

/**
 * Who makes a request, as far as this host can tell, for the call policy.
 *
 * @param caller        a cage name, or {@code <kind>:<detail>} for a caller from outside the flock's cages
 *                      ({@code http:...}, {@code jms:...}, {@code job:...}, {@code folder:...}, {@code rpc:...})
 * @param host          the host the call came from: this host's name for a call made here, the authenticated
 *                      peer's name for a call over RPC when the connection says it, else null
 * @param authenticated true when {@code host} is known for sure: this host, or a peer that proved its name
 *                      (mutual TLS); a name a frame states is never taken as proven
 */
record CallerIdentity(String caller, String host, boolean authenticated) {

    /**
     * The request attribute naming the RPC peer host as its certificate proved it. Set by the RPC server from the
     * connection, never from a frame (frame-borne values go into other attributes).
     */
    static final String PEER_HOST_ATTRIBUTE = "peer.host";

    /**
     * The identity of {@code in} arriving at {@code localHost}. A call by name over RPC names its calling cage in
     * the frame; a frame naming anything else than a cage (say {@code http:...}, to pass as another kind of
     * caller) is taken for what it is, a call from the RPC peer ({@code rpc:<address>}).
     */
    static CallerIdentity of(InboundRequest in, String localHost) {
        String caller = in.caller();
        if (!"rpc".equals(in.attributes().get(InboundRequest.TRANSPORT))) {
            // Local transports set the caller themselves; a cage's call by name here is made on this host.
            return new CallerIdentity(caller, caller.indexOf(':') < 0 ? localHost : null, caller.indexOf(':') < 0);
        }
        String peerHost = in.attributes().get(PEER_HOST_ATTRIBUTE);
        if (!HostConfig.isValidCageName(caller)) {
            String address = in.attributes().get("remote.address");
            String port = in.attributes().get("remote.port");
            caller = "rpc:" + (address != null ? address : "unknown") + (port != null ? ":" + port : "");
        }
        return new CallerIdentity(caller, peerHost, peerHost != null);
    }

    boolean isCage() {
        return caller.indexOf(':') < 0;
    }

    /** How a refusal names the caller: {@code cage 'orders'}, or the outside caller as it is. */
    String describe() {
        return isCage() ? "cage '" + caller + "'" : "caller '" + caller + "'";
    }
}
