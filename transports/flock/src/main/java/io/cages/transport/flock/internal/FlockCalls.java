package io.cages.transport.flock.internal;

import io.cages.host.admin.FlockMember;
import io.cages.host.spi.FlockView;
import io.cages.host.spi.OutboundCall;
import io.cages.host.spi.RemoteCalls;
import io.cages.host.spi.RemoteReply;
import io.cages.transport.flock.CageCopy;
import io.cages.transport.flock.CopyFinder;
import io.cages.transport.flock.CallRouter;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** What the host sees of the flock: calls to other hosts' cages, and the member list for operators. */
final class FlockCalls implements RemoteCalls, FlockView {

    private final CallRouter router;
    private final Directory directory;

    FlockCalls(CallRouter router, Directory directory) {
        this.router = router;
        this.directory = directory;
    }

    @Override
    public CompletableFuture<RemoteReply> call(OutboundCall call) {
        return router.call(call);
    }

    @Override
    public List<FlockMember> members() {
        List<FlockMember> members = new ArrayList<>();
        HostInfo self = directory.self();
        for (HostInfo host : directory.hosts()) {
            List<String> cages = host.cages().stream().map(c -> c.name() + "@" + c.version()).toList();
            members.add(new FlockMember(host.name(), host.rpcHost() + ":" + host.rpcPort(), cages, host.inFlight(), host.queued(), host == self,
                    host.adminUrl()));
        }
        return members;
    }

    /** The copies of a cage on the other hosts, as the directory knows them now. */
    static final class DirectoryCopies implements CopyFinder {

        private final Directory directory;

        DirectoryCopies(Directory directory) {
            this.directory = directory;
        }

        @Override
        public List<CageCopy> copiesOf(String cage) {
            List<CageCopy> copies = new ArrayList<>();
            for (HostInfo host : directory.others()) {
                for (HostInfo.CageEntry entry : host.cages()) {
                    if (entry.name().equals(cage)) {
                        copies.add(new CageCopy(host.name(), new InetSocketAddress(host.rpcHost(), host.rpcPort()),
                                entry.version(), new HashSet<>(entry.idempotent()), host.inFlight() + host.queued()));
                    }
                }
            }
            return copies;
        }
    }
}
