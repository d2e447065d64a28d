package io.cages.bench;

import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.transport.http.HttpTransport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What metrics cost on the HTTP hello path: two hosts in this JVM, the same hello cage on each, one with metrics
 * (the default) and one with {@code "metrics": {"enabled": false}}, measured with wrk in alternating rounds (each
 * round pairs the two runs next to each other in time; the median of the per-round ratios is reported).
 *
 * <p>Arguments: {@code [hello.jar] [seconds-per-round=10] [rounds=5] [connections=32]}.
 */
public final class MetricsBench {

    public static void main(String[] args) throws Exception {
        Path helloJar = Path.of(args.length > 0 ? args[0] : "tools/dist/target/cages/hello.jar");
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int connections = args.length > 3 ? Integer.parseInt(args[3]) : 32;

        HttpTransport withHttp = new HttpTransport();
        HttpTransport withoutHttp = new HttpTransport();
        try (Host with = Host.start(config("with", true), List.of(withHttp));
             Host without = Host.start(config("without", false), List.of(withoutHttp))) {
            for (Host host : List.of(with, without)) {
                if (!host.admin().deploy(Files.readAllBytes(helloJar), "bench").succeeded()) {
                    throw new IllegalStateException("hello did not deploy: " + host.admin().history());
                }
            }
            String withUrl = "http://127.0.0.1:" + withHttp.port() + "/hello/greet";
            String withoutUrl = "http://127.0.0.1:" + withoutHttp.port() + "/hello/greet";
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

    private static HostConfig config(String name, boolean metrics) throws Exception {
        Path work = Files.createTempDirectory("cages-bench-" + name);
        return HostConfig.defaults().withWorkDir(work).withCageConfigDir(work.resolve("configs"))
                .withHttp(HostConfig.Http.ephemeral())
                .withResourcesFile(work.resolve("no-resources.json")) // HTTP alone: no databases or broker
                .withMetrics(new HostConfig.Metrics(metrics));
    }

    private static double median(List<Wrk.Result> runs) {
        List<Double> rates = new ArrayList<>(runs.stream().map(Wrk.Result::requestsPerSecond).toList());
        rates.sort(Double::compare);
        return rates.get(rates.size() / 2);
    }
}
