package io.cages.rpcbench;

import io.cages.api.Deadline;
import io.cages.host.spi.Dispatcher;
import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.Reply;
import io.cages.host.spi.Transport;
import io.cages.host.spi.TransportContext;
import io.cages.host.testing.TestCages;
import io.cages.testcages.caller.CallerCage;
import io.cages.transport.flock.CageCopy;
import io.cages.transport.flock.RouterSettings;
import io.cages.transport.rpc.RpcClient;
import io.cages.transport.flock.CallRouter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The whole cage-to-cage path: a caller host in this JVM runs a caller cage whose handler does
 * {@code context.cage("hello").call("greet", ...)}; the host finds no local hello and hands the call to the
 * RPC router, which sends it to the callee host. Each measured call is a request to the caller cage.
 */
final class ByNameCaller implements RpcBench.Caller {

    private static final Map<String, Object> PARAMS = Map.of("target", "hello", "op", "greet", "name", "world");

    private final Host host;
    private final long deadlineMs;

    private ByNameCaller(Host host, long deadlineMs) {
        this.host = host;
        this.deadlineMs = deadlineMs;
    }

    static ByNameCaller start(RpcClient client, InetSocketAddress callee, long deadlineMs) throws Exception {
        CageCopy hello = new CageCopy("callee", callee, "1.0.0", Set.of("greet"), 0);
        CallRouter router = new CallRouter(client, cage -> cage.equals("hello") ? List.of(hello) : List.of(), RouterSettings.defaults());
        Transport offer = new Transport() {
            @Override
            public String name() {
                return "bench-router";
            }

            @Override
            public void start(TransportContext context) {
                context.offerRemoteCalls(router);
            }

            @Override
            public void stopAccepting() {
            }

            @Override
            public void close() {
            }
        };
        java.nio.file.Path work = Files.createTempDirectory("cages-rpcbench-caller");
        Host host = Host.start(HostConfig.defaults().withName("caller").withWorkDir(work).withCageConfigDir(work.resolve("configs"))
                        // A file that does not exist: the bench host owns no resources, whatever configs/ holds.
                        .withResourcesFile(work.resolve("no-resources.json")),
                List.of(offer));
        if (!host.admin().deploy(TestCages.build("caller", "1.0.0", CallerCage.class), "bench").succeeded()) {
            throw new IllegalStateException("the caller cage did not deploy: " + host.admin().history());
        }
        return new ByNameCaller(host, deadlineMs);
    }

    private CompletableFuture<Reply> start() {
        Dispatcher d = host.dispatcher();
        return d.dispatch(new InboundRequest(d.newRequestId(), "caller", "relay", PARAMS, null, null, null, "bench",
                Deadline.afterMillis(deadlineMs)));
    }

    @Override
    public String name() {
        return "byname";
    }

    @Override
    public void call(RpcBench.Done done) {
        start().whenComplete((reply, failure) -> done.run(failure));
    }

    @Override
    public String callAndWait() throws Exception {
        return start().get(deadlineMs, TimeUnit.MILLISECONDS).value().path("value").path("greeting").asText();
    }

    @Override
    public void close() {
        host.close();
    }
}
