package io.cages.dist;

import io.cages.host.admin.Admin;
import io.cages.host.spi.Dispatcher;
import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.spi.RemoteCalls;
import io.cages.host.spi.Transport;
import io.cages.host.spi.TransportContext;
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
import java.util.function.UnaryOperator;

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

    /** A host with more transports after HTTP (e.g. the flock's). */
    RunningHost(HostConfig config, Transport... more) throws Exception {
        http = new HttpTransport();
        java.util.List<Transport> all = new java.util.ArrayList<>(List.of(http));
        all.addAll(List.of(more));
        host = Host.start(config, all);
    }

    /**
     * A host whose HTTP transport hands its requests to {@code dispatcher} applied to the host's own
     * dispatcher: a test sees there every request the transport turned into a request for a cage.
     */
    RunningHost(HostConfig config, UnaryOperator<Dispatcher> dispatcher) throws Exception {
        http = new HttpTransport();
        host = Host.start(config, List.of(new Decorated(http, dispatcher)));
    }

    /** A transport started with a decorated dispatcher; everything else passes through. */
    private record Decorated(Transport transport, UnaryOperator<Dispatcher> dispatcher) implements Transport {

        @Override
        public String name() {
            return transport.name();
        }

        @Override
        public void start(TransportContext context) throws Exception {
            Dispatcher decorated = dispatcher.apply(context.dispatcher());
            transport.start(new TransportContext() {
                @Override
                public Dispatcher dispatcher() {
                    return decorated;
                }

                @Override
                public Admin admin() {
                    return context.admin();
                }

                @Override
                public HostConfig config() {
                    return context.config();
                }

                @Override
                public void offerRemoteCalls(RemoteCalls remoteCalls) {
                    context.offerRemoteCalls(remoteCalls);
                }
            });
        }

        @Override
        public void stopAccepting() {
            transport.stopAccepting();
        }

        @Override
        public void close() {
            transport.close();
        }
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
