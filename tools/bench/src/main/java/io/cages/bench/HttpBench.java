package io.cages.bench;

import io.cages.host.Host;
import io.cages.transport.http.HttpTransport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * HTTP hello on the cage host against a bare Netty hello server, in one run on one machine. Both servers
 * live in this JVM (only one is loaded at a time); wrk, a separate process, loads them in alternating
 * rounds so drift on the machine hits both alike. Prints requests/s, p50 and p99 of each and the ratio.
 *
 * <p>Usage: {@code HttpBench <hello.jar> [seconds-per-round] [rounds] [connections]} (defaults 10, 5, 32)
 */
public final class HttpBench {

    public static void main(String[] args) throws Exception {
        Path helloJar = Path.of(args.length > 0 ? args[0] : "tools/dist/target/cages/hello.jar");
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int connections = args.length > 3 ? Integer.parseInt(args[3]) : 32;
        HttpTransport http = new HttpTransport();
        try (Host host = HelloHost.start(helloJar, http, true); BareNettyHello bare = new BareNettyHello()) {
            String hostUrl = "http://127.0.0.1:" + http.port() + "/hello/greet";
            String bareUrl = "http://127.0.0.1:" + bare.port() + "/hello/greet";
            System.out.printf("HTTP hello, %d connections, wrk 1 thread, %d rounds of %d s each, %d cores, %s%n",
                    connections, rounds, seconds, Runtime.getRuntime().availableProcessors(), Runtime.version());
            Wrk.run(hostUrl, 1, connections, seconds); // warm-up: JIT both paths fully before measuring
            Wrk.run(bareUrl, 1, connections, seconds);

            List<Wrk.Result> hostRuns = new ArrayList<>();
            List<Wrk.Result> bareRuns = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                boolean hostFirst = round % 2 == 0;
                (hostFirst ? hostRuns : bareRuns).add(Wrk.run(hostFirst ? hostUrl : bareUrl, 1, connections, seconds));
                (hostFirst ? bareRuns : hostRuns).add(Wrk.run(hostFirst ? bareUrl : hostUrl, 1, connections, seconds));
            }
            Wrk.Result h = median(hostRuns);
            Wrk.Result b = median(bareRuns);
            System.out.printf("%-12s %12s %10s %10s %8s%n", "server", "requests/s", "p50 ms", "p99 ms", "errors");
            System.out.printf("%-12s %12.0f %10.3f %10.3f %8d%n", "cages host", h.requestsPerSecond(), h.p50Ms(), h.p99Ms(), errors(hostRuns));
            System.out.printf("%-12s %12.0f %10.3f %10.3f %8d%n", "bare netty", b.requestsPerSecond(), b.p50Ms(), b.p99Ms(), errors(bareRuns));
            // Each round pairs a host run with the bare run next to it in time; the median of those ratios is
            // steadier than a ratio of medians on a 2-core machine whose speed drifts.
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i < rounds; i++) {
                ratios.add(hostRuns.get(i).requestsPerSecond() / bareRuns.get(i).requestsPerSecond());
            }
            List<Double> sortedRatios = new ArrayList<>(ratios);
            sortedRatios.sort(Double::compare);
            System.out.printf("per-round throughput ratios host/bare: %s%n",
                    ratios.stream().map(r -> String.format("%.2f", r)).toList());
            System.out.printf("throughput ratio host/bare = %.2f (median of rounds; min %.2f, max %.2f; target >= 0.70); p50 ratio = %.2f, p99 ratio = %.2f%n",
                    sortedRatios.get(rounds / 2), sortedRatios.get(0), sortedRatios.get(rounds - 1), h.p50Ms() / b.p50Ms(), h.p99Ms() / b.p99Ms());
            if (errors(hostRuns) + errors(bareRuns) > 0) {
                // A figure over failed requests measures nothing; the smoke run in CI must see this.
                System.err.println("bench-http: some requests failed (see the errors column)");
                System.exit(1);
            }
        }
    }

    /** The round with the median throughput (its latencies come with it). */
    private static Wrk.Result median(List<Wrk.Result> runs) {
        List<Wrk.Result> sorted = new ArrayList<>(runs);
        sorted.sort(Comparator.comparingDouble(Wrk.Result::requestsPerSecond));
        return sorted.get(sorted.size() / 2);
    }

    private static long errors(List<Wrk.Result> runs) {
        return runs.stream().mapToLong(Wrk.Result::errors).sum();
    }
}
