package io.cages.transport.flock.internal;

import io.cages.host.admin.Admin;
import io.cages.host.spi.RemoteCalls;
import io.cages.transport.flock.CallRouter;
import io.cages.transport.flock.CopyFinder;
import io.cages.transport.flock.FlockCredentials;
import io.cages.transport.flock.FlockSettings;
import java.net.InetSocketAddress;
import java.util.function.BiConsumer;

/**
 * This host's membership of its flock, the one public class of this package (for
 * {@link io.cages.transport.flock.FlockTransport}): the directory of every member's cages, and the publisher
 * that keeps this host's entry in it current.
 */
public final class Membership implements AutoCloseable {

    private final Publisher publisher;
    private final Directory directory;

    private Membership(Publisher publisher, Directory directory) {
        this.publisher = publisher;
        this.directory = directory;
    }

    /** Joins the flock of {@code settings} as {@code hostName}, publishing the cages {@code admin} lists. */
    public static Membership join(String hostName, FlockSettings settings, Admin admin, int rpcPort) throws Exception {
        return join(hostName, settings, null, admin, rpcPort);
    }

    /**
     * Joins as {@link #join(String, FlockSettings, Admin, int)} does; with {@code credentials} (else null) the
     * membership is authenticated by the flock CA and the directory encrypted.
     */
    public static Membership join(String hostName, FlockSettings settings, FlockCredentials credentials, Admin admin, int rpcPort)
            throws Exception {
        Publisher publisher = new Publisher(hostName, settings, admin, rpcPort);
        Directory directory = Directory.join(settings, credentials, publisher.current());
        publisher.start(directory);
        return new Membership(publisher, directory);
    }

    /** The copies of a cage on the other hosts, as the directory knows them when asked. */
    public CopyFinder copies() {
        return new FlockCalls.DirectoryCopies(directory);
    }

    /** What the host sees of the flock: calls by name through {@code router}, and the member list. */
    public RemoteCalls remoteCalls(CallRouter router) {
        return new FlockCalls(router, directory);
    }

    /** The health monitor's probes of the other hosts, over RPC with {@code client}. */
    public io.cages.host.spi.FlockProbe healthProbes(io.cages.transport.rpc.RpcClient client) {
        return new HealthProbes(directory, client);
    }

    /**
     * Tells {@code listener} the name and RPC address of each host the directory drops. Skipped when a member
     * already lists the same RPC address: a host restarted at once may be back before its old self is
     * dropped. Called on JGroups' thread: the listener must not block.
     */
    public void onDeparture(BiConsumer<String, InetSocketAddress> listener) {
        directory.addDepartureListener(gone -> {
            boolean back = directory.others().stream().anyMatch(h -> h.rpcHost().equals(gone.rpcHost()) && h.rpcPort() == gone.rpcPort());
            if (!back) {
                listener.accept(gone.name(), new InetSocketAddress(gone.rpcHost(), gone.rpcPort()));
            }
        });
    }

    /**
     * The host's flock credentials changed on disk (a certificate or CA rotation): joins and the group key exchange
     * use them from now on, as RPC does, so a host restarted with the new files gets in. Hosts already in stay in.
     */
    public void updateCredentials(FlockCredentials credentials) throws java.security.GeneralSecurityException {
        directory.updateCredentials(credentials);
    }

    /** From now on publishes that this host runs nothing, so callers stop choosing it. */
    public void retire() {
        publisher.retire();
    }

    /** Retires, then leaves the flock. */
    @Override
    public void close() {
        publisher.retire();
        directory.close();
    }
}
