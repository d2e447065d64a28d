package io.cages.rpcbench;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.cages.api.Deadline;
import io.cages.host.Reply;
import io.cages.transport.rpc.RpcClient;
import io.cages.transport.rpc.RpcSettings;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cage-to-cage RPC against gRPC-java, in one run between two JVMs on loopback. The callee JVM
 * ({@link CalleeMain}, started here with the same java binary, flags and class path) hosts the hello cage
 * behind the RPC transport and a gRPC unary hello doing the same work; this JVM is the caller.
 *
 * <p>Both systems carry the same payload: parameters {@code {"name":"world"}} (Smile inside a cages frame,
 * JSON inside a gRPC message, each encoded per call) and the reply {@code {"greeting":"Hello, world!",
 * "version":...}} decoded to a tree by the caller. Both use one connection (cages: connectionsPerPeer 1;
 * gRPC: one channel = one HTTP/2 connection), NIO event loops of the same size, a handler on a virtual
 * thread, a 5 s deadline per call, and a completion hop off the event loop on the caller side.
 *
 * <p>Each round measures, for each system in alternating order: latency (one thread, sequential calls, p50
 * and p99 of per-call time) and throughput (a fixed number of calls in flight for the round's seconds).
 * The table shows the median over rounds of each figure, then the ratios cages/gRPC.
 *
 * <p>Usage: {@code RpcBench <hello.jar> [rounds=3] [seconds=5] [concurrency=64] [latency-calls=20000]}
 *
 * <p>Diagnostic only: {@code -Drpcbench.grpc.executor=virtual|pool|direct} (passed on to the callee with the
 * other JVM flags) chooses where gRPC runs its callbacks on both sides: {@code virtual} (default, the fair
 * setting: server handlers on a virtual-thread-per-task executor as the host runs cages, client on gRPC's
 * default pool), {@code pool} (gRPC's default shared cached thread pool on both sides), {@code direct}
 * (directExecutor on both sides: handlers and completions on the event loops, which the cages host never
 * does: its handlers may block).
 */
public final class RpcBench {

    private static final Map<String, Object> PARAMS = Map.of("name", "world");
    private static final long DEADLINE_MS = 5_000;

    /** One system under test: a call that completes a future with the greeting, or fails it. */
    interface Caller extends AutoCloseable {
        String name();

        @Override
        default void close() {
        }

        /** Starts one call; {@code done} runs once with null or the failure, off the I/O threads. */
        void call(Done done);

        /** One call, waited for; returns the greeting. */
        String callAndWait() throws Exception;
    }

    interface Done {
        void run(Throwable failure);
    }

    record Latency(double p50Us, double p99Us, long errors) {
    }

    record Throughput(double callsPerSecond, long errors) {
    }

    public static void main(String[] args) throws Exception {
        Path helloJar = Path.of(args.length > 0 ? args[0] : "container/dist/target/cages/hello.jar");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int concurrency = args.length > 3 ? Integer.parseInt(args[3]) : 64;
        int latencyCalls = args.length > 4 ? Integer.parseInt(args[4]) : 20_000;
        if (!Files.isRegularFile(helloJar)) {
            throw new IllegalArgumentException("no hello cage jar at " + helloJar);
        }

        Process callee = startCallee(helloJar);
        int status = 0;
        try {
            Matcher ports = awaitPorts(callee);
            int rpcPort = Integer.parseInt(ports.group(1));
            int grpcPort = Integer.parseInt(ports.group(2));
            int ioThreads = Integer.parseInt(ports.group(3));
            run(rpcPort, grpcPort, ioThreads, rounds, seconds, concurrency, latencyCalls);
        } catch (Exception e) {
            System.err.println("rpcbench failed: " + e);
            e.printStackTrace();
            status = 1;
        } finally {
            stop(callee);
        }
        System.exit(status); // gRPC's shared timer and executor threads are not daemons
    }

    private static void run(int rpcPort, int grpcPort, int ioThreads, int rounds, int seconds, int concurrency,
                            int latencyCalls) throws Exception {
        RpcClient rpc = new RpcClient(RpcSettings.defaults().withConnectionsPerPeer(1).withIoThreads(ioThreads));
        EventLoopGroup grpcLoops = new NioEventLoopGroup(ioThreads, new DefaultThreadFactory("grpc-client", true));
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort)
                .usePlaintext()
                .eventLoopGroup(grpcLoops)
                .channelType(NioSocketChannel.class);
        if (grpcExecutor().equals("direct")) {
            builder.directExecutor();
        }
        ManagedChannel channel = builder.build();
        try {
            Caller cages = cages(rpc, new InetSocketAddress("127.0.0.1", rpcPort));
            Caller grpc = grpc(channel);
            Caller byName = ByNameCaller.start(rpc, new InetSocketAddress("127.0.0.1", rpcPort), DEADLINE_MS);
            System.out.printf("cage-to-cage RPC vs gRPC-java unary hello, caller and callee JVMs on loopback, %d cores, %s%n",
                    Runtime.getRuntime().availableProcessors(), Runtime.version());
            System.out.printf("%d rounds; each: %d sequential calls (latency), then %d in flight for %d s (throughput);"
                    + " 1 connection each, %d I/O threads a side, gRPC executor: %s%n", rounds, latencyCalls, concurrency, seconds,
                    ioThreads, grpcExecutor());
            System.out.println("cages says: " + cages.callAndWait() + "; gRPC says: " + grpc.callAndWait()
                    + "; a caller cage says: " + byName.callAndWait());

            // Warm-up: JIT every path (not measured), a full round's worth each.
            for (Caller c : List.of(cages, grpc, byName)) {
                latency(c, latencyCalls);
                throughput(c, concurrency, seconds);
            }

            List<Latency> cagesLatency = new ArrayList<>();
            List<Latency> grpcLatency = new ArrayList<>();
            List<Throughput> cagesThroughput = new ArrayList<>();
            List<Throughput> grpcThroughput = new ArrayList<>();
            List<Latency> byNameLatency = new ArrayList<>();
            List<Throughput> byNameThroughput = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                List<Caller> order = round % 2 == 0 ? List.of(cages, grpc, byName) : List.of(byName, grpc, cages);
                for (Caller c : order) {
                    Latency l = latency(c, latencyCalls);
                    Throughput t = throughput(c, concurrency, seconds);
                    (c == cages ? cagesLatency : c == grpc ? grpcLatency : byNameLatency).add(l);
                    (c == cages ? cagesThroughput : c == grpc ? grpcThroughput : byNameThroughput).add(t);
                    System.out.printf("  round %d %-6s p50 %7.1f us  p99 %7.1f us  %9.0f calls/s  errors %d%n",
                            round + 1, c.name(), l.p50Us(), l.p99Us(), t.callsPerSecond(), l.errors() + t.errors());
                }
            }

            double cP50 = median(cagesLatency.stream().mapToDouble(Latency::p50Us).toArray());
            double cP99 = median(cagesLatency.stream().mapToDouble(Latency::p99Us).toArray());
            double cTput = median(cagesThroughput.stream().mapToDouble(Throughput::callsPerSecond).toArray());
            double gP50 = median(grpcLatency.stream().mapToDouble(Latency::p50Us).toArray());
            double gP99 = median(grpcLatency.stream().mapToDouble(Latency::p99Us).toArray());
            double gTput = median(grpcThroughput.stream().mapToDouble(Throughput::callsPerSecond).toArray());
            System.out.println("medians over rounds:");
            System.out.printf("%-12s %10s %10s %12s %8s%n", "system", "p50 us", "p99 us", "calls/s", "errors");
            System.out.printf("%-12s %10.1f %10.1f %12.0f %8d%n", "cages rpc", cP50, cP99, cTput, errors(cagesLatency, cagesThroughput));
            System.out.printf("%-12s %10.1f %10.1f %12.0f %8d%n", "grpc-java", gP50, gP99, gTput, errors(grpcLatency, grpcThroughput));
            double bP50 = median(byNameLatency.stream().mapToDouble(Latency::p50Us).toArray());
            double bP99 = median(byNameLatency.stream().mapToDouble(Latency::p99Us).toArray());
            double bTput = median(byNameThroughput.stream().mapToDouble(Throughput::callsPerSecond).toArray());
            System.out.printf("%-12s %10.1f %10.1f %12.0f %8d%n", "cage by name", bP50, bP99, bTput, errors(byNameLatency, byNameThroughput));
            System.out.printf("latency ratio cages/grpc p50 = %.2f, p99 = %.2f (target <= 1.0); throughput ratio = %.2f (target >= 1.0)%n",
                    cP50 / gP50, cP99 / gP99, cTput / gTput);
            System.out.printf("full path (a caller cage on a caller host, call by name, router, RPC) vs grpc: p50 = %.2f, p99 = %.2f,"
                    + " throughput = %.2f%n", bP50 / gP50, bP99 / gP99, bTput / gTput);
            byName.close();
        } finally {
            rpc.close();
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            grpcLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    // ---- the two systems ----------------------------------------------------------------------------------

    private static Caller cages(RpcClient client, InetSocketAddress peer) {
        return new Caller() {
            @Override
            public String name() {
                return "cages";
            }

            private CompletableFuture<Reply> start() {
                return client.call(peer, "bench", "hello", "greet", PARAMS, null, null, Deadline.afterMillis(DEADLINE_MS), true);
            }

            @Override
            public void call(Done done) {
                // Completed on a virtual thread by the client (never inline on the I/O thread).
                start().whenComplete((reply, failure) -> done.run(failure));
            }

            @Override
            public String callAndWait() throws Exception {
                return start().get(DEADLINE_MS, TimeUnit.MILLISECONDS).value().get("greeting").asText();
            }
        };
    }

    private static Caller grpc(ManagedChannel channel) {
        return new Caller() {
            @Override
            public String name() {
                return "grpc";
            }

            /** Same work as the cages client: encode the params per call, decode the reply to a tree. */
            private ListenableFuture<JsonNode> start() {
                ListenableFuture<byte[]> reply = ClientCalls.futureUnaryCall(channel.newCall(GrpcHello.GREET,
                        CallOptions.DEFAULT.withDeadlineAfter(DEADLINE_MS, TimeUnit.MILLISECONDS)), GrpcHello.encode(PARAMS));
                return Futures.transform(reply, bytes -> {
                    try {
                        return GrpcHello.JSON.readTree(bytes);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }, MoreExecutors.directExecutor());
            }

            @Override
            public void call(Done done) {
                // The future completes on the channel's executor (gRPC's default: a shared cached pool), not on
                // the event loop: the same hop the cages client makes to a virtual thread.
                Futures.addCallback(start(), new FutureCallback<>() {
                    @Override
                    public void onSuccess(JsonNode result) {
                        done.run(null);
                    }

                    @Override
                    public void onFailure(Throwable t) {
                        done.run(t);
                    }
                }, MoreExecutors.directExecutor());
            }

            @Override
            public String callAndWait() throws Exception {
                return start().get(DEADLINE_MS, TimeUnit.MILLISECONDS).get("greeting").asText();
            }
        };
    }

    // ---- measurements -------------------------------------------------------------------------------------

    /** One thread, {@code calls} sequential calls; per-call wall time from send to the caller's wake-up. */
    private static Latency latency(Caller caller, int calls) {
        long[] nanos = new long[calls];
        long errors = 0;
        for (int i = 0; i < calls; i++) {
            long start = System.nanoTime();
            try {
                caller.callAndWait();
            } catch (Exception e) {
                errors++;
                if (errors == 1) {
                    System.err.println(caller.name() + ": latency call failed: " + e);
                }
            }
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        return new Latency(percentile(nanos, 0.50) / 1_000.0, percentile(nanos, 0.99) / 1_000.0, errors);
    }

    /**
     * {@code concurrency} chains of calls, each starting its next call when the previous completes, so exactly
     * that many are in flight; calls completed between 0.5 s after the start and {@code seconds} later count.
     */
    private static Throughput throughput(Caller caller, int concurrency, int seconds) throws InterruptedException {
        LongAdder completed = new LongAdder();
        LongAdder errors = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger running = new AtomicInteger(concurrency);
        CountDownLatch drained = new CountDownLatch(1);
        AtomicBoolean reported = new AtomicBoolean();
        Runnable[] chain = new Runnable[1];
        chain[0] = () -> caller.call(failure -> {
            completed.increment();
            if (failure != null) {
                errors.increment();
                if (reported.compareAndSet(false, true)) {
                    System.err.println(caller.name() + ": throughput call failed: " + failure);
                }
            }
            if (stop.get()) {
                if (running.decrementAndGet() == 0) {
                    drained.countDown();
                }
            } else if (failure != null) {
                Thread.startVirtualThread(chain[0]); // never recurse on a synchronous failure
            } else {
                chain[0].run();
            }
        });
        for (int i = 0; i < concurrency; i++) {
            chain[0].run();
        }
        Thread.sleep(500);
        long c0 = completed.sum();
        long e0 = errors.sum();
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1_000L);
        long c1 = completed.sum();
        long e1 = errors.sum();
        long t1 = System.nanoTime();
        stop.set(true);
        if (!drained.await(DEADLINE_MS + 2_000, TimeUnit.MILLISECONDS)) {
            System.err.println(caller.name() + ": " + running.get() + " calls still in flight after the round");
        }
        return new Throughput((c1 - c0) * 1e9 / (t1 - t0), e1 - e0);
    }

    private static long percentile(long[] sorted, double p) {
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static long errors(List<Latency> latency, List<Throughput> throughput) {
        return latency.stream().mapToLong(Latency::errors).sum() + throughput.stream().mapToLong(Throughput::errors).sum();
    }

    // ---- the callee process -------------------------------------------------------------------------------

    /** Same java binary, JVM flags and class path as this JVM; its stderr (logs) goes to ours. */
    private static Process startCallee(Path helloJar) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(CalleeMain.class.getName());
        command.add(helloJar.toAbsolutePath().toString());
        return new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }

    private static final Pattern PORTS = Pattern.compile("PORTS rpc=(\\d+) grpc=(\\d+) ioThreads=(\\d+) grpcExecutor=(\\w+)");

    /** Where gRPC runs its callbacks: virtual (default), pool or direct; see the class comment. */
    static String grpcExecutor() {
        String value = System.getProperty("rpcbench.grpc.executor", "virtual");
        if (!List.of("virtual", "pool", "direct").contains(value)) {
            throw new IllegalArgumentException("rpcbench.grpc.executor: virtual, pool or direct, not '" + value + "'");
        }
        return value;
    }

    private static Matcher awaitPorts(Process callee) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(callee.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Matcher> found = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    Matcher m = PORTS.matcher(line);
                    if (m.find()) {
                        return m;
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            throw new IllegalStateException("the callee exited (code " + waitQuietly(callee) + ") before it was ready");
        }, Thread::startVirtualThread);
        try {
            Matcher m = found.get(60, TimeUnit.SECONDS);
            Thread.startVirtualThread(() -> drain(out)); // keep its stdout from filling up
            return m;
        } catch (TimeoutException e) {
            throw new IllegalStateException("the callee was not ready within 60 s");
        } catch (ExecutionException e) {
            throw new IllegalStateException("the callee did not start: " + e.getCause().getMessage(), e.getCause());
        }
    }

    private static void drain(BufferedReader out) {
        try {
            while (out.readLine() != null) {
                // discard
            }
        } catch (java.io.IOException ignored) {
            // the callee is gone
        }
    }

    private static int waitQuietly(Process p) {
        try {
            return p.waitFor(5, TimeUnit.SECONDS) ? p.exitValue() : -1;
        } catch (InterruptedException e) {
            return -1;
        }
    }

    /** Closes its stdin (it stops by itself), then destroys it if it is still there; bounded waits. */
    private static void stop(Process callee) throws InterruptedException {
        try {
            callee.getOutputStream().close();
        } catch (java.io.IOException ignored) {
            // already gone
        }
        if (!callee.waitFor(10, TimeUnit.SECONDS)) {
            callee.destroy();
            if (!callee.waitFor(5, TimeUnit.SECONDS)) {
                callee.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

}
