package io.cages.bench;

import io.cages.host.Host;
import io.cages.transport.http.HttpTransport;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What metrics cost on the HTTP hello path: two host JVMs, the same hello cage on each, one with metrics (the
 * default) and one with {@code "metrics": {"enabled": false}}, a new pair each round, measured with wrk one after
 * the other (the first of the pair alternates); the median of the per-round ratios is reported.
 *
 * <p>Two JVMs, not two hosts in this one: in one JVM the JIT compiles the request path once for both, with the
 * profile of whichever host ran last, and every switch between them deoptimized it (per-round ratios scattered
 * from 0.60 to 1.83, and whole runs from 17,000 to 39,000 requests/s).
 *
 * <p>Two measures per round: throughput flat out, and the host JVM's CPU time per request at one offered rate (each
 * connection pausing between requests). The second is the overhead figure: it is what metrics add to each request,
 * while flat-out throughput on this 2-core machine also moves with how wrk and the host's threads share the cores.
 * The CPU is that of every thread of the host JVM but its JIT compilers (printed apart): compiling is a one-off of
 * warm-up, and it went on long enough to swing a round's figure either way by more than the whole target.
 *
 * <p>Arguments: {@code [hello.jar] [seconds-per-round=10] [rounds=5] [connections=32] [paced-delay-ms=5]}: each round warms both
 * hosts up (flat-out runs of the given seconds until their JIT compilers settle, at most six), then measures each
 * flat out for the given seconds, then paced in four runs of half that each.
 */
public final class MetricsBench {

    public static void main(String[] args) throws Exception {
        Path helloJar = Path.of(args.length > 0 ? args[0] : "tools/dist/target/cages/hello.jar");
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int connections = args.length > 3 ? Integer.parseInt(args[3]) : 32;
        int pacedDelayMs = args.length > 4 ? Integer.parseInt(args[4]) : 5;
        System.out.printf("metrics overhead, HTTP hello, %d connections, wrk 1 thread, %d rounds (a new pair of host JVMs each),"
                        + " %d s per measure, %d cores, %s%n",
                connections, rounds, seconds, Runtime.getRuntime().availableProcessors(), Runtime.version());

        List<Double> rateWith = new ArrayList<>();
        List<Double> rateWithout = new ArrayList<>();
        List<Double> rateRatios = new ArrayList<>();
        List<Double> cpuWith = new ArrayList<>();
        List<Double> cpuWithout = new ArrayList<>();
        List<Double> cpuRatios = new ArrayList<>();
        List<Double> pacedRates = new ArrayList<>();
        long errors = 0;
        for (int round = 0; round < rounds; round++) {
            boolean withFirst = round % 2 == 0;
            // A new pair per round: a JVM's JIT can settle on a faster or slower shape of the request path for its
            // whole life (one pair kept through a run showed the same host 30 % behind in every round), so one
            // pair measures that luck, not what metrics cost.
            try (HostJvm first = HostJvm.start(helloJar, withFirst); HostJvm second = HostJvm.start(helloJar, !withFirst)) {
                HostJvm with = withFirst ? first : second;
                HostJvm without = withFirst ? second : first;
                warmUp(first, connections, seconds); // both hosts JIT-compiled before anything is measured
                warmUp(second, connections, seconds);

                Measured f1 = Measured.of(first, () -> Wrk.run(first.url(), 1, connections, seconds));
                Measured f2 = Measured.of(second, () -> Wrk.run(second.url(), 1, connections, seconds));
                // The same two hosts at one offered rate, well under what either can serve: what a request costs
                // in CPU with and without metrics, without the swings of a saturated 2-core machine (where wrk,
                // the event loops and the virtual threads take turns, and a round's rate moves by more than 5 %).
                // Four short runs each, in the order A B B A A B B A, so a slow spell of the machine falls on both.
                Measured p1 = Measured.NONE;
                Measured p2 = Measured.NONE;
                int part = Math.max(1, seconds / 2);
                for (int i = 0; i < 4; i++) {
                    HostJvm a = i % 2 == 0 ? first : second;
                    HostJvm b = i % 2 == 0 ? second : first;
                    Measured ma = Measured.of(a, () -> Wrk.runPaced(a.url(), 1, connections, part, pacedDelayMs));
                    Measured mb = Measured.of(b, () -> Wrk.runPaced(b.url(), 1, connections, part, pacedDelayMs));
                    p1 = p1.plus(a == first ? ma : mb);
                    p2 = p2.plus(a == first ? mb : ma);
                }
                Measured flatWith = withFirst ? f1 : f2;
                Measured flatWithout = withFirst ? f2 : f1;
                Measured pacedWith = withFirst ? p1 : p2;
                Measured pacedWithout = withFirst ? p2 : p1;
                for (Measured m : List.of(f1, f2, p1, p2)) {
                    errors += m.wrk.errors();
                }
                rateWith.add(flatWith.wrk.requestsPerSecond());
                rateWithout.add(flatWithout.wrk.requestsPerSecond());
                rateRatios.add(flatWith.wrk.requestsPerSecond() / flatWithout.wrk.requestsPerSecond());
                cpuWith.add(pacedWith.cpuMicrosPerRequest());
                cpuWithout.add(pacedWithout.cpuMicrosPerRequest());
                cpuRatios.add(pacedWith.cpuMicrosPerRequest() / pacedWithout.cpuMicrosPerRequest());
                pacedRates.add(pacedWith.wrk.requestsPerSecond());
                pacedRates.add(pacedWithout.wrk.requestsPerSecond());
                System.out.printf("round %d: flat out %.0f vs %.0f req/s (%.3f); paced host CPU per request %.1f vs %.1f us (%.3f),"
                                + " besides the JIT compilers' %.1f vs %.1f us%n",
                        round + 1, flatWith.wrk.requestsPerSecond(), flatWithout.wrk.requestsPerSecond(), rateRatios.getLast(),
                        cpuWith.getLast(), cpuWithout.getLast(), cpuRatios.getLast(), pacedWith.jitMicrosPerRequest(),
                        pacedWithout.jitMicrosPerRequest());
            }
        }

        System.out.printf("flat out: with metrics %.0f req/s, without %.0f req/s (medians); throughput ratio with/without %.3f"
                        + " (median of rounds; min %.3f, max %.3f)%n",
                median(rateWith), median(rateWithout), median(rateRatios), min(rateRatios), max(rateRatios));
        System.out.printf("paced (%d connections, %d ms between a connection's requests, %.0f-%.0f req/s): host CPU per request"
                        + " (all threads but the JIT compilers) with metrics %.1f us, without %.1f us (medians)%n",
                connections, pacedDelayMs, min(pacedRates), max(pacedRates), median(cpuWith), median(cpuWithout));
        System.out.printf("metrics overhead: host CPU per request at a fixed rate %+.1f %% (median of rounds; min %+.1f %%, max %+.1f %%)"
                        + " (target < 5 %%)%n",
                100 * (median(cpuRatios) - 1), 100 * (min(cpuRatios) - 1), 100 * (max(cpuRatios) - 1));
        if (errors > 0) {
            System.err.println("bench-metrics: " + errors + " requests failed");
            System.exit(1);
        }
    }

    /** A wrk run against one host JVM and the CPU time that JVM used during it. */
    /**
     * Flat-out runs of {@code seconds} each until the JIT compilers used under {@value #JIT_SETTLED_SHARE} of a core
     * during one (at most {@value #MAX_WARM_UP_RUNS} runs). C2 was still compiling 20 s into a warm-up of flat-out
     * load, at times a whole core's second per 8 s run, and a paced run measured in that time counted it.
     */
    private static void warmUp(HostJvm host, int connections, int seconds) throws Exception {
        for (int run = 0; run < MAX_WARM_UP_RUNS; run++) {
            Measured m = Measured.of(host, () -> Wrk.run(host.url(), 1, connections, seconds));
            if (m.jitNanos < JIT_SETTLED_SHARE * TimeUnit.SECONDS.toNanos(seconds)) {
                return;
            }
        }
    }

    static final double JIT_SETTLED_SHARE = 0.02;
    static final int MAX_WARM_UP_RUNS = 6;

    /**
     * A wrk run against one host JVM and the CPU time that JVM used during it: in its JIT compiler threads, and in
     * all the others (event loops, virtual threads' carriers, GC, timers): the second is what serving costs.
     */
    private record Measured(Wrk.Result wrk, long cpuNanos, long jitNanos) {
        static final Measured NONE = new Measured(new Wrk.Result(0, 0, 0, 0, 0), 0, 0);

        interface Load {
            Wrk.Result run() throws Exception;
        }

        static Measured of(HostJvm host, Load load) throws Exception {
            ThreadCpu before = ThreadCpu.of(host.process.pid());
            Wrk.Result result = load.run();
            ThreadCpu after = ThreadCpu.of(host.process.pid());
            return new Measured(result, after.servingNanos() - before.servingNanos(), after.jitNanos() - before.jitNanos());
        }

        /** Both runs as one: their requests, errors and CPU time added (the rate is the mean of the two). */
        Measured plus(Measured other) {
            if (this == NONE) {
                return other;
            }
            Wrk.Result a = wrk;
            Wrk.Result b = other.wrk;
            return new Measured(new Wrk.Result((a.requestsPerSecond() + b.requestsPerSecond()) / 2, Double.NaN, Double.NaN,
                    a.errors() + b.errors(), a.requests() + b.requests()), cpuNanos + other.cpuNanos, jitNanos + other.jitNanos);
        }

        double cpuMicrosPerRequest() {
            return cpuNanos / 1000.0 / wrk.requests();
        }

        double jitMicrosPerRequest() {
            return jitNanos / 1000.0 / wrk.requests();
        }
    }

    private static String format(List<Double> values) {
        return values.stream().map(r -> String.format("%.3f", r)).toList().toString();
    }

    /** The middle value, or the mean of the two middle ones for an even count (not the upper one, which leans). */
    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static double min(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    }

    /** A host in a JVM of its own, started from this class path; it serves until its stdin closes. */
    static final class HostJvm implements AutoCloseable {
        final Process process;
        final int port;

        private HostJvm(Process process, int port) {
            this.process = process;
            this.port = port;
        }

        String url() {
            return "http://127.0.0.1:" + port + "/hello/greet";
        }

        static HostJvm start(Path helloJar, boolean metrics) throws Exception {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                    .filter(a -> a.startsWith("-X") || a.startsWith("--")).toList());
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), MetricsBench.class.getName() + "$Child",
                    helloJar.toAbsolutePath().toString(), Boolean.toString(metrics)));
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("PORT ")) {
                    return new HostJvm(process, Integer.parseInt(line.substring(5).trim()));
                }
            }
            throw new IllegalStateException("the " + (metrics ? "metrics" : "no-metrics") + " host JVM ended before it served (exit "
                    + process.waitFor() + ")");
        }

        @Override
        public void close() throws Exception {
            process.getOutputStream().close(); // the child stops its host when its stdin closes
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** The child JVM: a host with or without metrics and the hello cage; prints its port, serves until stdin closes. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            boolean metrics = Boolean.parseBoolean(args[1]);
            HttpTransport http = new HttpTransport();
            try (Host host = HelloHost.start(Path.of(args[0]), http, metrics)) {
                System.out.println("PORT " + http.port());
                System.out.flush();
                System.in.transferTo(java.io.OutputStream.nullOutputStream()); // until the parent closes our stdin
            }
        }
    }
}
