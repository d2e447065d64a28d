package io.cages.transport.flock;

import io.cages.host.HostConfig;
import io.cages.host.admin.Admin;
import io.cages.host.spi.Dispatcher;
import io.cages.host.spi.TransportContext;
import io.cages.transport.flock.internal.HealthProbes;

/** The context the RPC listener gets: the host's, with a dispatcher that answers health probes itself. */
final class HealthAnswering {

    private HealthAnswering() {
    }

    static TransportContext wrap(TransportContext host) {
        Dispatcher dispatcher = HealthProbes.answering(host.dispatcher(), host::localHealth);
        return new TransportContext() {
            @Override
            public Dispatcher dispatcher() {
                return dispatcher;
            }

            @Override
            public Admin admin() {
                return host.admin();
            }

            @Override
            public HostConfig config() {
                return host.config();
            }

            @Override
            public void offerRemoteCalls(io.cages.host.spi.RemoteCalls remoteCalls) {
                host.offerRemoteCalls(remoteCalls);
            }
        };
    }
}
