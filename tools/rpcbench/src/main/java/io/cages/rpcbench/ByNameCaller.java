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
 * {@code byname} calls {@code hello}, whose {@code greet} is declared non-blocking, so the callee host runs it on
 * the I/O thread that read it; {@code byname-vt} calls {@code hello-vt}, the same jar without that header, whose
 * {@code greet} runs on a virtual thread of its own (the default for every operation).
 */
final class ByNameCaller implements RpcBench.Caller {

    private final Host host;
    private final String name;
    private final Map<String, Object> params;
    private final long deadlineMs;

    private ByNameCaller(Host host, String name, String target, long deadlineMs) {
        this.host = host;
        this.name = name;
        this.params = Map.of("target", target, "op", "greet", "name", "world");
        this.deadlineMs = deadlineMs;
    }

    /**
     * A caller host whose router knows one copy of each of {@code cages} on {@code callee}; the systems made
     * from it with {@link #to} share it.
     */
    static Host startHost(RpcClient client, InetSocketAddress callee, Set<String> cages) throws Exception {
        CallRouter router = new CallRouter(client, cage -> cages.contains(cage)
                ? List.of(new CageCopy("callee", callee, "1.0.0", Set.of("greet"), 0)) : List.of(), RouterSettings.defaults());
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
        return host;
    }

    /** The system {@code name}: requests to the caller cage on {@code host}, which calls {@code target} by name. */
    static ByNameCaller to(Host host, String name, String target, long deadlineMs) {
        return new ByNameCaller(host, name, target, deadlineMs);
    }

    private CompletableFuture<Reply> start() {
        Dispatcher d = host.dispatcher();
        return d.dispatch(new InboundRequest(d.newRequestId(), "caller", "relay", params, null, null, null, "bench",
                Deadline.afterMillis(deadlineMs)));
    }

    @Override
    public String name() {
        return name;
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
        // The host is shared by the by-name systems; the bench closes it once they are done.
    }
}
