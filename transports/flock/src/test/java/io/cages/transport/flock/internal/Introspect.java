package io.cages.transport.flock.internal;

import io.cages.transport.flock.FlockSettings;
import java.util.List;

/** Test access to the flock's internals that no public API should expose. */
public final class Introspect {

    private Introspect() {
    }

    /**
     * Joins the flock as a member that publishes one fixed entry, {@code cage} at {@code version} on an RPC
     * listener at 127.0.0.1:{@code rpcPort}, and never updates it: a host as its callers see it, without a host.
     */
    public static AutoCloseable joinAs(FlockSettings settings, String name, int rpcPort, String cage, String version,
                                       List<String> idempotent) throws Exception {
        HostInfo info = new HostInfo(name, settings.name(), "127.0.0.1", rpcPort,
                List.of(new HostInfo.CageEntry(cage, version, idempotent)), 0, 0, 1, null);
        return Directory.join(settings, info);
    }

    /** The JGroups stack the flock's members build from {@code settings}. */
    public static String jgroupsXml(FlockSettings settings) {
        return JGroupsStack.xml(settings);
    }
}
