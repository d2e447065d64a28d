package io.cages.bench;

import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.testing.TestCages;
import io.cages.transport.http.HttpTransport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Live-swap latency: from the admin API's deploy call to the first HTTP answer from the new version,
 * alternating two builds of hello (1.0.0 and the same code as 1.0.1).
 *
 * <p>Usage: {@code SwapBench <hello.jar> [swaps]}
 */
public final class SwapBench {

    public static void main(String[] args) throws Exception {
        Path helloJar = Path.of(args.length > 0 ? args[0] : "tools/dist/target/cages/hello.jar");
        int swaps = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        byte[] v100 = Files.readAllBytes(helloJar);
        byte[] v101 = TestCages.withHeader(v100, "Bundle-Version", "1.0.1");
        Path work = Files.createTempDirectory("cages-swap-bench");
        HttpTransport http = new HttpTransport();
        HostConfig config = HostConfig.defaults().withWorkDir(work).withCageConfigDir(work.resolve("configs"))
                .withHttp(HostConfig.Http.ephemeral())
                // The default resources file is configs/resources.json under the working directory (the repo root
                // here, whose demo file names databases and a broker): this host measures HTTP alone, so none.
                .withResourcesFile(work.resolve("no-resources.json"));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (Host host = Host.start(config, List.of(http))) {
            URI deploy = URI.create("http://127.0.0.1:" + http.adminPort() + "/deploy");
            URI greet = URI.create("http://127.0.0.1:" + http.port() + "/hello/greet");
            post(client, deploy, v100);
            List<Double> millis = new ArrayList<>();
            for (int i = 0; i < swaps + 5; i++) {
                String version = i % 2 == 0 ? "1.0.1" : "1.0.0";
                long started = System.nanoTime();
                post(client, deploy, i % 2 == 0 ? v101 : v100);
                while (!client.send(HttpRequest.newBuilder(greet).build(), HttpResponse.BodyHandlers.ofString()).body()
                        .contains("\"version\":\"" + version + "\"")) {
                    Thread.onSpinWait();
                }
                if (i >= 5) { // the first swaps warm up the JIT
                    millis.add((System.nanoTime() - started) / 1e6);
                }
            }
            Collections.sort(millis);
            System.out.printf("live swap latency (deploy call -> new version serving), %d swaps: p50 %.1f ms, p90 %.1f ms, max %.1f ms%n",
                    millis.size(), millis.get(millis.size() / 2), millis.get(millis.size() * 9 / 10), millis.get(millis.size() - 1));
            host.awaitRetirements(Duration.ofSeconds(30));
            System.out.printf("bundles left installed after all swaps: %d%n", host.installedBundles());
        }
    }

    private static void post(HttpClient client, URI uri, byte[] jar) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofByteArray(jar)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("deploy failed: " + response.statusCode() + " " + response.body());
        }
    }
}
