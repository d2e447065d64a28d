package io.cages.rpcbench;

import io.cages.api.Deadline;
import io.cages.host.spi.Reply;
import io.cages.transport.rpc.RpcClient;
import io.cages.host.Host;
import io.cages.transport.rpc.RpcSettings;
import io.cages.transport.rpc.RpcTls;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
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
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * behind the RPC transport and gRPC servers with a unary hello doing the same work; this JVM is the caller.
 *
 * <p>Systems, each measured in every round, in an order that alternates round by round:
 * <ul>
 *   <li>{@code cages}: the RPC client ({@link RpcClient#call}) straight to the callee host;</li>
 *   <li>{@code byname}: the whole path: a request to a caller cage on a caller host in this JVM, whose
 *       handler calls {@code context.cage("hello").call("greet", ...)}, through the host, the router and the
 *       RPC client ({@link ByNameCaller}); hello declares greet non-blocking, so the callee runs it on its I/O
 *       thread, as the gRPC reference runs its handler;</li>
 *   <li>{@code byname-vt}: the same path to {@code hello-vt}, the same cage without that declaration: the
 *       callee runs greet on a virtual thread of its own, the default for any operation;</li>
 *   <li>{@code cages-tls}, {@code byname-tls}, {@code byname-vt-tls}: each of the three over mutual TLS 1.3 (another
 *       client, caller host and callee host in the same two JVMs, credentials made by {@link BenchTls}), measured in
 *       the same turns as the plain rows, so the ratios mTLS/plain of a round come from the same minutes;</li>
 *   <li>{@code grpc}: the reference, gRPC-java at its best for this work ({@link GrpcCaller}): server handler
 *       on {@code directExecutor()}, blocking stub for latency, direct-executor channel for throughput, Smile
 *       payloads as cages carries;</li>
 *   <li>extras, when {@code -Drpcbench.extras=grpc-fjp,grpc-vt,grpc-json,grpc-noretry} names them: gRPC with
 *       its handler on a ForkJoinPool, on a virtual thread per call, with JSON instead of Smile payloads, or with
 *       the channel's retry machinery turned off.</li>
 * </ul>
 * {@code -Drpcbench.only=byname} (a diagnostic, e.g. for a profile) keeps only the systems named, and grpc.
 * Both carry the same payload: parameters {@code {"name":"world"}} encoded per call, and the reply
 * {@code {"greeting":"Hello, world!","version":...}} decoded to a tree by the caller. One connection each
 * (cages: connectionsPerPeer 1; gRPC: one channel = one HTTP/2 connection), NIO event loops of the same size,
 * a 5 s deadline per call.
 *
 * <p>Each round measures, per system: latency (one thread, sequential calls, p50 and p99 of per-call time)
 * and throughput (a fixed number of calls in flight for the round's seconds), in short slices that take turns
 * between the systems, so that a drift in the machine's speed hits them alike. Throughput also reports the CPU
 * time both JVMs spent per call. The table shows the median over rounds of each figure, then the ratios to
 * {@code grpc}: of the medians, and the range of per-round ratios.
 *
 * <p>Usage: {@code RpcBench <hello.jar> [rounds=3] [seconds=5] [concurrency=64] [latency-calls=20000]}
 */
public final class RpcBench {

    private static final Map<String, Object> PARAMS = Map.of("name", "world");
    private static final long DEADLINE_MS = 5_000;
    // CONCURRENCY: set once by main before any measurement.
    private static volatile ProcessHandle CALLEE;
    private static final List<String> EXTRAS = List.of("grpc-fjp", "grpc-vt", "grpc-json", "grpc-noretry");

    /** One system under test: a call that completes a future with the greeting, or fails it. */
    interface Caller extends AutoCloseable {
        String name();

        @Override
        default void close() {
        }

        /** Starts one call; {@code done} runs once with null or the failure. */
        void call(Done done);

        /** One call, waited for; returns the greeting. */
        String callAndWait() throws Exception;
    }

    interface Done {
        void run(Throwable failure);
    }

    record Latency(double p50Us, double p99Us, long errors) {
    }

    /** {@code cpuUsPerCall}: CPU time of both JVMs (caller and callee) per call, a figure less noisy than rates. */
    record Throughput(double callsPerSecond, double cpuUsPerCall, long errors) {
    }

    /** One system's figures, one entry per round. */
    private record Results(List<Latency> latency, List<Throughput> throughput) {
        Results() {
            this(new ArrayList<>(), new ArrayList<>());
        }

        double p50(int round) {
            return latency.get(round).p50Us();
        }

        double p99(int round) {
            return latency.get(round).p99Us();
        }

        double tput(int round) {
            return throughput.get(round).callsPerSecond();
        }

        double medianP50() {
            return median(latency.stream().mapToDouble(Latency::p50Us).toArray());
        }

        double medianP99() {
            return median(latency.stream().mapToDouble(Latency::p99Us).toArray());
        }

        double medianTput() {
            return median(throughput.stream().mapToDouble(Throughput::callsPerSecond).toArray());
        }

        double medianCpu() {
            return median(throughput.stream().mapToDouble(Throughput::cpuUsPerCall).toArray());
        }

        long errors() {
            return latency.stream().mapToLong(Latency::errors).sum() + throughput.stream().mapToLong(Throughput::errors).sum();
        }
    }

    public static void main(String[] args) throws Exception {
        Path helloJar = Path.of(args.length > 0 ? args[0] : "tools/dist/target/cages/hello.jar");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int concurrency = args.length > 3 ? Integer.parseInt(args[3]) : 64;
        int latencyCalls = args.length > 4 ? Integer.parseInt(args[4]) : 20_000;
        if (!Files.isRegularFile(helloJar)) {
            throw new IllegalArgumentException("no hello cage jar at " + helloJar);
        }
        List<String> extras = extras();

        if (System.getProperty("tls") != null) {
            System.out.println("rpcbench: -Dtls is no longer needed: every run measures RPC plain and over mutual TLS (the -tls rows)");
        }
        TLS_DIR = BenchTls.prepare();
        Process callee = startCallee(helloJar);
        CALLEE = callee.toHandle();
        int status = 0;
        try {
            Matcher ports = awaitPorts(callee);
            run(ports, extras, rounds, seconds, concurrency, latencyCalls);
        } catch (Exception e) {
            System.err.println("rpcbench failed: " + e);
            e.printStackTrace();
            status = 1;
        } finally {
            stop(callee);
        }
        System.exit(status); // gRPC's shared timer and executor threads are not daemons
    }

    private static void run(Matcher ports, List<String> extras, int rounds, int seconds, int concurrency,
                            int latencyCalls) throws Exception {
        int ioThreads = Integer.parseInt(ports.group("io"));
        RpcSettings clientSettings = RpcSettings.defaults().withConnectionsPerPeer(1).withIoThreads(ioThreads);
        RpcClient rpc = new RpcClient(clientSettings, null);
        RpcTls callerTls = BenchTls.of(TLS_DIR, "caller");
        RpcClient rpcTls = new RpcClient(clientSettings, callerTls);
        EventLoopGroup grpcLoops = new NioEventLoopGroup(ioThreads, new DefaultThreadFactory("grpc-client", true));
        Map<String, ManagedChannel> channels = new LinkedHashMap<>();
        List<Caller> systems = new ArrayList<>();
        List<Host> callerHosts = new ArrayList<>();
        try {
            // Each RPC system twice, plain and over mutual TLS ("-tls"): the same caller and callee code, another
            // client, caller host and callee host (in the same two JVMs), measured in the same turns.
            InetSocketAddress callee = new InetSocketAddress("127.0.0.1", Integer.parseInt(ports.group("rpc")));
            InetSocketAddress calleeTls = new InetSocketAddress("127.0.0.1", Integer.parseInt(ports.group("rpctls")));
            systems.add(cages("cages", rpc, callee));
            systems.add(cages("cages" + TLS, rpcTls, calleeTls));
            Host callerHost = ByNameCaller.startHost(rpc, callee, Set.of("hello", "hello-vt"));
            callerHosts.add(callerHost);
            Host callerHostTls = ByNameCaller.startHost(rpcTls, calleeTls, Set.of("hello", "hello-vt"));
            callerHosts.add(callerHostTls);
            systems.add(ByNameCaller.to(callerHost, "byname", "hello", DEADLINE_MS));
            systems.add(ByNameCaller.to(callerHostTls, "byname" + TLS, "hello", DEADLINE_MS));
            systems.add(ByNameCaller.to(callerHost, "byname-vt", "hello-vt", DEADLINE_MS));
            systems.add(ByNameCaller.to(callerHostTls, "byname-vt" + TLS, "hello-vt", DEADLINE_MS));
            Caller grpc = new GrpcCaller("grpc", channel(channels, grpcLoops, ports, "grpc"), GrpcHello.Codec.SMILE, PARAMS, DEADLINE_MS);
            systems.add(grpc);
            for (String extra : extras) {
                systems.add(switch (extra) {
                    case "grpc-fjp", "grpc-vt" -> new GrpcCaller(extra, channel(channels, grpcLoops, ports, extra),
                            GrpcHello.Codec.SMILE, PARAMS, DEADLINE_MS);
                    case "grpc-json" -> new GrpcCaller(extra, channel(channels, grpcLoops, ports, "grpc"),
                            GrpcHello.Codec.JSON, PARAMS, DEADLINE_MS);
                    case "grpc-noretry" -> new GrpcCaller(extra, channel(channels, grpcLoops, ports, extra),
                            GrpcHello.Codec.SMILE, PARAMS, DEADLINE_MS);
                    default -> throw new IllegalStateException(extra);
                });
            }
            String only = System.getProperty("rpcbench.only", "").trim();
            if (!only.isEmpty()) {
                // Diagnostic (profiling one path): the reference stays, so the ratios still mean something.
                List<String> kept = Arrays.stream(only.split(",")).map(String::trim).toList();
                for (Caller c : List.copyOf(systems)) {
                    if (c != grpc && !kept.contains(c.name())) {
                        systems.remove(c);
                        c.close();
                    }
                }
            }
            System.out.printf("cage-to-cage RPC vs gRPC-java unary hello, caller and callee JVMs on loopback, %d cores, %s%n",
                    Runtime.getRuntime().availableProcessors(), Runtime.version());
            System.out.printf("RPC rows plain and over mutual TLS 1.3 (the %s rows; TLS provider %s, set both JVMs' with"
                    + " -Dcages.rpc.tls.provider=jdk|openssl); gRPC stays plaintext%n", TLS, callerTls.provider());
            System.out.printf("%d rounds; each: %d sequential calls (latency), then %d in flight for %d s (throughput), per system,"
                    + " in slices of %d calls and %d ms taking turns; 1 connection each, %d I/O threads a side%n", rounds, latencyCalls,
                    concurrency, seconds, LATENCY_SLICE_CALLS, THROUGHPUT_SLICE_MS, ioThreads);
            for (Caller c : systems) {
                System.out.println("  " + c.name() + " says: " + c.callAndWait());
            }

            // Warm-up: JIT every path (not measured), a full round's worth each.
            round(systems, 0, latencyCalls, concurrency, seconds);

            Map<Caller, Results> results = new LinkedHashMap<>();
            systems.forEach(c -> results.put(c, new Results()));
            for (int round = 0; round < rounds; round++) {
                Map<Caller, Measured> measured = round(systems, round, latencyCalls, concurrency, seconds);
                for (Caller c : systems) {
                    Latency l = measured.get(c).latency();
                    Throughput t = measured.get(c).throughput();
                    results.get(c).latency().add(l);
                    results.get(c).throughput().add(t);
                    System.out.printf("  round %d %-14s p50 %7.1f us  p99 %7.1f us  %9.0f calls/s  cpu %5.1f us/call  errors %d%n",
                            round + 1, c.name(), l.p50Us(), l.p99Us(), t.callsPerSecond(), t.cpuUsPerCall(), l.errors() + t.errors());
                }
                for (Caller c : systems) {
                    Caller plain = plainOf(c, systems);
                    if (plain != null) {
                        Measured m = measured.get(c);
                        Measured p = measured.get(plain);
                        System.out.printf("  round %d %-14s mTLS/plain: p50 %.2f  p99 %.2f  throughput %.2f  cpu/call %.2f%n", round + 1,
                                c.name(), m.latency().p50Us() / p.latency().p50Us(), m.latency().p99Us() / p.latency().p99Us(),
                                m.throughput().callsPerSecond() / p.throughput().callsPerSecond(),
                                m.throughput().cpuUsPerCall() / p.throughput().cpuUsPerCall());
                    }
                }
            }
            report(results, grpc, rounds);
            reportTls(results, systems, rounds);
        } finally {
            for (Caller c : systems) {
                c.close();
            }
            for (Host h : callerHosts) {
                h.close();
            }
            rpc.close();
            rpcTls.close();
            for (ManagedChannel channel : channels.values()) {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            grpcLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    private static void report(Map<Caller, Results> results, Caller reference, int rounds) {
        Results ref = results.get(reference);
        System.out.println("medians over rounds:");
        System.out.printf("%-14s %10s %10s %12s %14s %8s%n", "system", "p50 us", "p99 us", "calls/s", "cpu us/call", "errors");
        results.forEach((c, r) -> System.out.printf("%-14s %10.1f %10.1f %12.0f %14.1f %8d%n", c.name(), r.medianP50(), r.medianP99(),
                r.medianTput(), r.medianCpu(), r.errors()));
        System.out.println("ratios to grpc (latency target <= 1.0, throughput target >= 1.0): of the medians [range of per-round ratios]");
        results.forEach((c, r) -> {
            if (c == reference) {
                return;
            }
            double[] p50 = new double[rounds];
            double[] p99 = new double[rounds];
            double[] tput = new double[rounds];
            for (int i = 0; i < rounds; i++) {
                p50[i] = r.p50(i) / ref.p50(i);
                p99[i] = r.p99(i) / ref.p99(i);
                tput[i] = r.tput(i) / ref.tput(i);
            }
            System.out.printf("%-14s p50 %.2f [%s]  p99 %.2f [%s]  throughput %.2f [%s]%n", c.name(),
                    r.medianP50() / ref.medianP50(), range(p50), r.medianP99() / ref.medianP99(), range(p99),
                    r.medianTput() / ref.medianTput(), range(tput));
        });
    }

    /**
     * The cost of security: each -tls row against its plain row, of the medians and the range of the per-round
     * ratios (both measured in the same rounds, slice by slice). Target: mTLS throughput >= 0.8x of plain.
     */
    private static void reportTls(Map<Caller, Results> results, List<Caller> systems, int rounds) {
        System.out.println("mutual TLS / plain, same run (throughput target >= 0.80): of the medians [range of per-round ratios]");
        for (Caller c : systems) {
            Caller plain = plainOf(c, systems);
            if (plain == null) {
                continue;
            }
            Results t = results.get(c);
            Results p = results.get(plain);
            double[] p50 = new double[rounds];
            double[] p99 = new double[rounds];
            double[] tput = new double[rounds];
            double[] cpu = new double[rounds];
            for (int i = 0; i < rounds; i++) {
                p50[i] = t.p50(i) / p.p50(i);
                p99[i] = t.p99(i) / p.p99(i);
                tput[i] = t.tput(i) / p.tput(i);
                cpu[i] = t.throughput().get(i).cpuUsPerCall() / p.throughput().get(i).cpuUsPerCall();
            }
            System.out.printf("%-14s p50 %.2f [%s]  p99 %.2f [%s]  throughput %.2f [%s]  cpu/call %.2f [%s]%n", c.name(),
                    t.medianP50() / p.medianP50(), range(p50), t.medianP99() / p.medianP99(), range(p99),
                    t.medianTput() / p.medianTput(), range(tput), t.medianCpu() / p.medianCpu(), range(cpu));
        }
    }

    /** The plain system of a -tls system (null for any other). */
    private static Caller plainOf(Caller c, List<Caller> systems) {
        if (!c.name().endsWith(TLS)) {
            return null;
        }
        String plain = c.name().substring(0, c.name().length() - TLS.length());
        return systems.stream().filter(s -> s.name().equals(plain)).findFirst().orElse(null);
    }

    private static String range(double[] values) {
        double min = Arrays.stream(values).min().orElse(Double.NaN);
        double max = Arrays.stream(values).max().orElse(Double.NaN);
        return String.format("%.2f-%.2f", min, max);
    }

    /**
     * One channel per gRPC configuration: one HTTP/2 connection, callbacks on the event loop (directExecutor),
     * everything else at gRPC-java's defaults (as its own benchmarks run it), except for grpc-noretry, which
     * also turns off the retry machinery (transparent retries included).
     */
    private static ManagedChannel channel(Map<String, ManagedChannel> channels, EventLoopGroup loops, Matcher ports, String config) {
        return channels.computeIfAbsent(config, c -> {
            NettyChannelBuilder builder = NettyChannelBuilder.forAddress("127.0.0.1", Integer.parseInt(ports.group(port(c))))
                    .usePlaintext()
                    .eventLoopGroup(loops)
                    .channelType(NioSocketChannel.class)
                    .directExecutor();
            if (c.equals("grpc-noretry")) {
                builder.disableRetry();
            }
            return builder.build();
        });
    }

    /** The callee's server for a configuration (the group name in the PORTS line). */
    private static String port(String config) {
        return switch (config) {
            case "grpc", "grpc-noretry" -> "grpc";
            case "grpc-fjp" -> "fjp";
            case "grpc-vt" -> "vt";
            default -> throw new IllegalArgumentException(config);
        };
    }

    /** The extra gRPC configurations asked for with -Drpcbench.extras (comma-separated). */
    static List<String> extras() {
        String value = System.getProperty("rpcbench.extras", "").trim();
        if (value.isEmpty()) {
            return List.of();
        }
        List<String> asked = Arrays.stream(value.split(",")).map(String::trim).distinct().toList();
        for (String extra : asked) {
            if (!EXTRAS.contains(extra)) {
                throw new IllegalArgumentException("rpcbench.extras: '" + extra + "' is not one of " + EXTRAS);
            }
        }
        return asked;
    }

    private static Caller cages(String name, RpcClient client, InetSocketAddress peer) {
        return new Caller() {
            @Override
            public String name() {
                return name;
            }

            private CompletableFuture<Reply> start() {
                return client.call(peer, "bench", "hello", "greet", PARAMS, null, null, Deadline.afterMillis(DEADLINE_MS), true);
            }

            @Override
            public void call(Done done) {
                start().whenComplete((reply, failure) -> done.run(failure));
            }

            @Override
            public String callAndWait() throws Exception {
                return start().get(DEADLINE_MS, TimeUnit.MILLISECONDS).value().get("greeting").asText();
            }
        };
    }

    // ---- measurements -------------------------------------------------------------------------------------

    /** Sequential calls per latency slice, and the length of a throughput slice. */
    private static final int LATENCY_SLICE_CALLS = 1_000;
    private static final long THROUGHPUT_SLICE_MS = 1_000;
    private static final long THROUGHPUT_RAMP_MS = 300;

    private record Measured(Latency latency, Throughput throughput) {
    }

    /**
     * One round: every system's latency ({@code latencyCalls} sequential calls) and throughput ({@code seconds}
     * of {@code concurrency} calls in flight), measured in slices (1,000 calls, 1 s) that take turns between
     * the systems, in an order that reverses from slice to slice and round to round. A machine whose speed
     * drifts (other work on it) then slows every system alike, and the ratios stay meaningful.
     */
    private static Map<Caller, Measured> round(List<Caller> systems, int round, int latencyCalls, int concurrency,
                                               int seconds) throws InterruptedException {
        Map<Caller, long[]> nanos = new LinkedHashMap<>();
        Map<Caller, long[]> errors = new LinkedHashMap<>();
        Map<Caller, long[]> sums = new LinkedHashMap<>(); // calls, nanos, cpu nanos, errors
        for (Caller c : systems) {
            nanos.put(c, new long[latencyCalls]);
            errors.put(c, new long[1]);
            sums.put(c, new long[4]);
        }
        int slice = 0;
        for (int done = 0; done < latencyCalls; done += LATENCY_SLICE_CALLS, slice++) {
            int calls = Math.min(LATENCY_SLICE_CALLS, latencyCalls - done);
            for (Caller c : order(systems, round + slice)) {
                errors.get(c)[0] += latency(c, nanos.get(c), done, calls);
            }
        }
        for (int s = 0; s < seconds; s++, slice++) {
            for (Caller c : order(systems, round + slice)) {
                throughput(c, concurrency, THROUGHPUT_SLICE_MS, sums.get(c));
            }
        }
        Map<Caller, Measured> measured = new LinkedHashMap<>();
        for (Caller c : systems) {
            long[] sorted = nanos.get(c);
            Arrays.sort(sorted);
            long[] t = sums.get(c);
            measured.put(c, new Measured(
                    new Latency(percentile(sorted, 0.50) / 1_000.0, percentile(sorted, 0.99) / 1_000.0, errors.get(c)[0]),
                    new Throughput(t[0] * 1e9 / Math.max(1, t[1]), t[2] < 0 ? Double.NaN : t[2] / 1e3 / Math.max(1, t[0]), t[3])));
        }
        return measured;
    }

    private static List<Caller> order(List<Caller> systems, int turn) {
        List<Caller> order = new ArrayList<>(systems);
        if (turn % 2 == 1) {
            Collections.reverse(order);
        }
        return order;
    }

    /** One thread, {@code calls} sequential calls into {@code nanos} from {@code at}; returns the errors. */
    private static long latency(Caller caller, long[] nanos, int at, int calls) {
        long errors = 0;
        for (int i = at; i < at + calls; i++) {
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
        return errors;
    }

    /**
     * {@code concurrency} chains of calls, each starting its next call when the previous completes, so exactly
     * that many are in flight; calls completed in {@code millis} after a ramp-up count. Adds calls, nanoseconds,
     * CPU nanoseconds of both JVMs (-1 once unknown) and errors to {@code sums}.
     */
    private static void throughput(Caller caller, int concurrency, long millis, long[] sums) throws InterruptedException {
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
        Thread.sleep(THROUGHPUT_RAMP_MS);
        long c0 = completed.sum();
        long e0 = errors.sum();
        long cpu0 = cpuNanos();
        long t0 = System.nanoTime();
        Thread.sleep(millis);
        long c1 = completed.sum();
        long e1 = errors.sum();
        long cpu1 = cpuNanos();
        long t1 = System.nanoTime();
        stop.set(true);
        if (!drained.await(DEADLINE_MS + 2_000, TimeUnit.MILLISECONDS)) {
            System.err.println(caller.name() + ": " + running.get() + " calls still in flight after the slice");
        }
        sums[0] += c1 - c0;
        sums[1] += t1 - t0;
        sums[2] = sums[2] < 0 || cpu0 < 0 || cpu1 < 0 ? -1 : sums[2] + cpu1 - cpu0;
        sums[3] += e1 - e0;
    }

    /** CPU time so far of this JVM and the callee's (from the OS; -1 where it cannot tell). */
    private static long cpuNanos() {
        ProcessHandle callee = CALLEE;
        long self = ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
        long other = callee == null ? 0 : callee.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
        return self < 0 || other < 0 ? -1 : self + other;
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

    /** The suffix of the systems over mutual TLS. */
    static final String TLS = "-tls";
    /** The folder of the mutual-TLS credentials both JVMs use. */
    private static Path TLS_DIR;

    /** Same java binary, JVM flags and class path as this JVM; its stderr (logs) goes to ours. */
    private static Process startCallee(Path helloJar) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-D" + BenchTls.DIR_PROPERTY + "=" + TLS_DIR);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(CalleeMain.class.getName());
        command.add(helloJar.toAbsolutePath().toString());
        return new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }

    private static final Pattern PORTS = Pattern.compile(
            "PORTS rpc=(?<rpc>\\d+) rpc-tls=(?<rpctls>\\d+) grpc=(?<grpc>\\d+) grpc-fjp=(?<fjp>\\d+) grpc-vt=(?<vt>\\d+) ioThreads=(?<io>\\d+)");

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
