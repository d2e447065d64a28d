package io.cages.resources.provider;

import io.cages.host.spi.Settings;
import java.util.Set;

/**
 * The broker the host may run itself (the demo default): persistent, with its journal under the host's work
 * folder, reached in the host's JVM as {@code vm://<inVmId>} and, when {@code tcpPort >= 0}, over TCP.
 * Read at host start only.
 *
 * @param enabled             whether to run it
 * @param inVmId              the in-VM acceptor id
 * @param tcpPort             a TCP acceptor's port, or -1 for none
 * @param tcpBind             the TCP acceptor's address
 * @param maxDeliveryAttempts deliveries before the broker moves a message to the DLQ
 */
record EmbeddedBrokerSettings(boolean enabled, int inVmId, int tcpPort, String tcpBind, int maxDeliveryAttempts) {

    static final EmbeddedBrokerSettings NONE = new EmbeddedBrokerSettings(false, 0, -1, "127.0.0.1", 10);
    private static final Set<String> KEYS = Set.of("enabled", "inVmId", "tcpPort", "tcpBind", "maxDeliveryAttempts");

    /** The settings at {@code key} of the resources file; {@link #NONE} if it has none. */
    static EmbeddedBrokerSettings read(Settings file, String key) {
        if (!file.has(key)) {
            return NONE;
        }
        Settings s = file.object(key, KEYS);
        return new EmbeddedBrokerSettings(s.flag("enabled", true), s.integer("inVmId", NONE.inVmId, 0, Integer.MAX_VALUE),
                s.portOrNone("tcpPort", NONE.tcpPort), s.string("tcpBind", NONE.tcpBind),
                s.integer("maxDeliveryAttempts", NONE.maxDeliveryAttempts, 1, Integer.MAX_VALUE));
    }
}
