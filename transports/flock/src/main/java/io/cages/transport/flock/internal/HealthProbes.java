package io.cages.transport.flock.internal;

import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.api.ErrorCode;
import io.cages.host.spi.Dispatcher;
import io.cages.host.spi.FlockProbe;
import io.cages.host.spi.HostHealth;
import io.cages.host.spi.HostJson;
import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.Reply;
import io.cages.transport.rpc.RpcClient;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The health monitor's probes over the flock's real network: an RPC request to the reserved cage
 * {@value #CAGE} (operation {@value #OPERATION}) on the other host's RPC listener. The receiving host answers it
 * from its {@link io.cages.host.spi.TransportContext#localHealth()} (every cage's status; self-tests cached for
 * the period) in {@link #answering(Dispatcher, Supplier)}, before its dispatcher: a probe never reaches a cage's
 * handler, its admission gate or the request metrics, so those stay exact.
 *
 * <p>One request per host per period answers for all of its cages, so a flock of N hosts sends N x (N - 1)
 * small requests a period, whatever the number of cages.
 */
public final class HealthProbes implements FlockProbe {

    /** The reserved cage name: not a valid cage name (cages start with a letter), so no cage can take it. */
    public static final String CAGE = "_health";
    public static final String OPERATION = "probe";
    private static final String CALLER = "health-monitor";

    private final Directory directory;
    private final RpcClient client;

    HealthProbes(Directory directory, RpcClient client) {
        this.directory = directory;
        this.client = client;
    }

    @Override
    public List<String> peers() {
        return directory.others().stream().map(HostInfo::name).distinct().toList();
    }

    @Override
    public CompletableFuture<HostHealth> probe(String host, long timeoutMs) {
        // The latest entry under that name: a host restarted at once may be listed twice for a moment.
        HostInfo target = null;
        for (HostInfo info : directory.others()) {
            if (info.name().equals(host)) {
                target = info;
            }
        }
        if (target == null) {
            return CompletableFuture.failedFuture(new CageException(ErrorCode.NOT_FOUND, "host " + host + " is not in the directory"));
        }
        InetSocketAddress address = new InetSocketAddress(target.rpcHost(), target.rpcPort());
        return client.callDirect(address, null, CALLER, CAGE, OPERATION, null, null, null, Deadline.afterMillis(timeoutMs), true)
                .thenApply(HealthProbes::read);
    }

    private static HostHealth read(Reply reply) {
        try {
            return HostJson.MAPPER.treeToValue(reply.value(), HostHealth.class);
        } catch (Exception e) {
            throw new IllegalStateException("a health probe's answer could not be read: " + e.getMessage(), e);
        }
    }

    /**
     * {@code next}, except that a health probe is answered here from {@code localHealth} (on a virtual thread:
     * self-tests may take up to half the probe timeout).
     */
    public static Dispatcher answering(Dispatcher next, Supplier<HostHealth> localHealth) {
        return new Dispatcher() {
            @Override
            public String newRequestId() {
                return next.newRequestId();
            }

            @Override
            public CompletableFuture<Reply> dispatch(InboundRequest request) {
                if (!CAGE.equals(request.cage())) {
                    return next.dispatch(request);
                }
                CompletableFuture<Reply> answer = new CompletableFuture<>();
                Thread.ofVirtual().name("cages-health-probe").start(() -> {
                    try {
                        HostHealth health = localHealth.get();
                        if (health == null) {
                            answer.completeExceptionally(new CageException(ErrorCode.NOT_FOUND, "this host has no health monitor"));
                        } else {
                            answer.complete(new Reply(HostJson.MAPPER.valueToTree(health), null, null, Map.of(), null));
                        }
                    } catch (RuntimeException e) {
                        answer.completeExceptionally(new CageException(ErrorCode.INTERNAL, "health probe failed: " + e));
                    }
                });
                return answer;
            }
        };
    }
}
