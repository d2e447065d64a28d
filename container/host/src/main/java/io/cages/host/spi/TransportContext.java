package io.cages.host.spi;

import io.cages.host.admin.Admin;
import io.cages.host.HostConfig;

/** What the host gives a transport when starting it. */
public interface TransportContext {

    Dispatcher dispatcher();

    Admin admin();

    HostConfig config();

    /**
     * Offers the way to reach cages on other hosts (at most one transport does). Calls by name to cages this
     * host does not run go there from then on.
     *
     * @throws IllegalStateException when another transport already offered one
     */
    void offerRemoteCalls(RemoteCalls remoteCalls);

    /** Offers the scheduled jobs to the admin API ({@code GET /jobs}, {@code POST /run-job}); at most one transport does. */
    default void offerJobs(JobsAdmin jobs) {
    }

    /**
     * Adds config files a transport reads itself (and reloads live) to what {@link Admin#configProblems()}
     * reports: {@code source} is asked each time, and returns the files it rejected, whose previous config stays
     * in force.
     */
    default void addConfigProblems(java.util.function.Supplier<java.util.List<io.cages.host.admin.ConfigProblem>> source) {
    }

    /**
     * This host's answer to a health probe from another host: each cage's status, self-tests run at most once
     * per health period (cached), bounded by half the probe timeout. Null when the host has no health monitor.
     */
    default HostHealth localHealth() {
        return null;
    }

    /** Tells the host where the admin listener is bound ({@link Admin#adminAddress()}); the transport running it does. */
    default void offerAdminAddress(java.net.InetSocketAddress bound) {
    }

    /** Offers the way to probe the other hosts of the flock to the health monitor; at most one transport does. */
    default void offerFlockProbe(FlockProbe probe) {
    }
}
