package io.cages.dist;

import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.testing.TestCages;
import io.cages.transport.http.HttpTransport;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A real host with the real HTTP transport on ephemeral loopback ports, and an HTTP client for it. */
final class RunningHost implements AutoCloseable {

    static final Path EXAMPLES = Path.of(System.getProperty("cages.examples", "target/cages"));

    final Host host;
    final HttpTransport http;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    RunningHost(HostConfig config) throws Exception {
        http = new HttpTransport();
        host = Host.start(config, List.of(http));
    }

    static HostConfig configIn(Path dir) {
        return HostConfig.defaults().withWorkDir(dir.resolve("work")).withCageConfigDir(dir.resolve("configs"))
                .withHttp(HostConfig.Http.ephemeral());
    }

    /** The built example cage jar, e.g. {@code hello}. */
    static byte[] example(String cage) {
        return TestCages.read(EXAMPLES.resolve(cage + ".jar"));
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + http.port() + pathAndQuery);
    }

    URI admin(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + http.adminPort() + pathAndQuery);
    }

    HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return client.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Deploys through the admin HTTP API, as cagectl does. */
    HttpResponse<String> deploy(byte[] jar) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(admin("/deploy")).POST(HttpRequest.BodyPublishers.ofByteArray(jar)));
    }

    @Override
    public void close() {
        host.close();
    }
}
