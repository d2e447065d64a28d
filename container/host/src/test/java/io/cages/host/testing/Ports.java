package io.cages.host.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free TCP ports for tests that must name a port before a server binds it (a flock's static host list).
 * Taken from below the kernel's ephemeral range (32768 and up on Linux), so that the many sockets tests
 * bind to port 0 (RPC listeners, clients) cannot grab a port between this check and its use; each port's
 * neighbour 100 up is checked too, because JGroups' FD_SOCK2 listens there.
 */
public final class Ports {

    private static final int LOW = 20_000;
    private static final int HIGH = 32_000;
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private Ports() {
    }

    public static synchronized int free() {
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOW, HIGH - 100);
            if (!HANDED_OUT.contains(port) && !HANDED_OUT.contains(port + 100) && bindable(port) && bindable(port + 100)) {
                HANDED_OUT.add(port);
                HANDED_OUT.add(port + 100);
                return port;
            }
        }
        throw new IllegalStateException("no free port between " + LOW + " and " + HIGH);
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("0.0.0.0"))) {
            return true;
        } catch (IOException taken) {
            return false;
        }
    }
}
