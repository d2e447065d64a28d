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
 * default) and one with {@code "metrics": {"enabled": false}}, measured with wrk in alternating rounds (each round
 * pairs the two runs next to each other in time; the median of the per-round ratios is reported).
 *
 * <p>Two JVMs, not two hosts in this one: in one JVM the JIT compiles the request path once for both, with the
 * profile of whichever host ran last, and every switch between them deoptimized it (per-round ratios scattered
 * from 0.60 to 1.83, and whole runs from 17,000 to 39,000 requests/s).
 *
 * <p>Arguments: {@code [hello.jar] [seconds-per-round=10] [rounds=5] [connections=32]}.
 */
public final class MetricsBench {

    public static void main(String[] args) throws Exception {
        Path helloJar = Path.of(args.length > 0 ? args[0] : "tools/dist/target/cages/hello.jar");
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int connections = args.length > 3 ? Integer.parseInt(args[3]) : 32;

        try (HostJvm with = HostJvm.start(helloJar, true); HostJvm without = HostJvm.start(helloJar, false)) {
            String withUrl = "http://127.0.0.1:" + with.port + "/hello/greet";
            String withoutUrl = "http://127.0.0.1:" + without.port + "/hello/greet";
            System.out.printf("metrics overhead, HTTP hello, %d connections, wrk 1 thread, %d rounds of %d s each, %d cores, %s%n",
                    connections, rounds, seconds, Runtime.getRuntime().availableProcessors(), Runtime.version());
            Wrk.run(withUrl, 1, connections, seconds); // warm-up: JIT both hosts before measuring
            Wrk.run(withoutUrl, 1, connections, seconds);

            List<Wrk.Result> withRuns = new ArrayList<>();
            List<Wrk.Result> withoutRuns = new ArrayList<>();
            List<Double> ratios = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                boolean withFirst = round % 2 == 0;
                Wrk.Result first = Wrk.run(withFirst ? withUrl : withoutUrl, 1, connections, seconds);
                Wrk.Result second = Wrk.run(withFirst ? withoutUrl : withUrl, 1, connections, seconds);
                Wrk.Result w = withFirst ? first : second;
                Wrk.Result wo = withFirst ? second : first;
                withRuns.add(w);
                withoutRuns.add(wo);
                ratios.add(w.requestsPerSecond() / wo.requestsPerSecond());
            }
            long errors = withRuns.stream().mapToLong(Wrk.Result::errors).sum() + withoutRuns.stream().mapToLong(Wrk.Result::errors).sum();
            List<Double> sorted = new ArrayList<>(ratios);
            sorted.sort(Double::compare);
            System.out.printf("per-round throughput ratios with/without metrics: %s%n", ratios.stream().map(r -> String.format("%.3f", r)).toList());
            System.out.printf("with metrics %.0f req/s, without %.0f req/s (medians); throughput ratio with/without = %.3f"
                            + " (median of rounds; min %.3f, max %.3f): overhead %.1f %% (target < 5 %%)%n",
                    median(withRuns), median(withoutRuns), sorted.get(rounds / 2), sorted.get(0), sorted.get(rounds - 1),
                    100 * (1 - sorted.get(rounds / 2)));
            if (errors > 0) {
                System.err.println("bench-metrics: " + errors + " requests failed");
                System.exit(1);
            }
        }
    }

    /** A host in a JVM of its own, started from this class path; it serves until its stdin closes. */
    static final class HostJvm implements AutoCloseable {
        final Process process;
        final int port;

        private HostJvm(Process process, int port) {
            this.process = process;
            this.port = port;
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

    private static double median(List<Wrk.Result> runs) {
        List<Double> rates = new ArrayList<>(runs.stream().map(Wrk.Result::requestsPerSecond).toList());
        rates.sort(Double::compare);
        return rates.get(rates.size() / 2);
    }
}
