package io.cages.flock.internal;

import io.cages.host.FlockMember;
import io.cages.host.FlockView;
import io.cages.host.OutboundCall;
import io.cages.host.RemoteCalls;
import io.cages.host.RemoteReply;
import io.cages.transport.rpc.CageCopy;
import io.cages.transport.rpc.CopyFinder;
import io.cages.transport.rpc.RpcRouter;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** What the host sees of the flock: calls to other hosts' cages, and the member list for operators. */
public final class FlockCalls implements RemoteCalls, FlockView {

    private final RpcRouter router;
    private final Directory directory;

    public FlockCalls(RpcRouter router, Directory directory) {
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
            members.add(new FlockMember(host.name(), host.rpcHost() + ":" + host.rpcPort(), cages, host.inFlight(), host.queued(), host == self));
        }
        return members;
    }

    /** The copies of a cage on the other hosts, as the directory knows them now. */
    public static final class DirectoryCopies implements CopyFinder {

        private final Directory directory;

        public DirectoryCopies(Directory directory) {
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
