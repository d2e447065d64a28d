package io.cages.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cages.host.testing.Await;
import io.cages.host.testing.TestCages;
import io.cages.transport.http.streamcage.StreamCage;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 1 GiB streamed answer from a host JVM whose heap is capped at 256 MB, read whole by a client over HTTP:
 * the byte count and checksum match the producer's pattern, and the host is still up and serving afterwards.
 * The host runs in a JVM of its own, started from this module's test class path the way
 * {@code tools/bin/cages run} starts one ({@code io.cages.host.Main --config}).
 */
class StreamedGigabyteTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long GIB = 1L << 30;

    @TempDir
    Path dir;

    @Test
    void aGigabyteStreamsFromAHostWithA256MbHeap() throws Exception {
        Path deploy = Files.createDirectories(dir.resolve("deploy"));
        Files.write(deploy.resolve("stream.jar"), TestCages.build("stream", "1.0.0", StreamCage.class));
        int port = freePort();
        int adminPort = freePort();
        ObjectNode config = JSON.createObjectNode();
        config.put("name", "gigabyte");
        config.put("workDir", dir.resolve("work").toString());
        config.put("deployDir", deploy.toString());
        config.put("cageConfigDir", Files.createDirectories(dir.resolve("configs")).toString());
        config.put("resourcesFile", dir.resolve("resources.json").toString());
        config.put("shutdownTimeoutMs", 5_000);
        ObjectNode http = config.putObject("http");
        http.put("bind", "127.0.0.1").put("port", port).put("adminBind", "127.0.0.1").put("adminPort", adminPort);
        config.putObject("cages").putObject("stream").put("timeoutMs", 120_000);
        Path configFile = dir.resolve("host.json");
        JSON.writeValue(configFile.toFile(), config);

        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        if (Runtime.version().feature() >= 24) {
            command.add("--sun-misc-unsafe-memory-access=allow");
            command.add("--enable-native-access=ALL-UNNAMED");
        }
        command.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-Djava.net.preferIPv4Stack=true",
                "-Dcages.logs=" + dir.resolve("logs"), "-cp", System.getProperty("java.class.path"),
                "io.cages.host.Main", "--config", configFile.toString()));
        Path log = dir.resolve("host.log");
        Process host = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        try {
            Await.until("the host serves the stream cage", Duration.ofSeconds(60), () -> {
                assertTrue(host.isAlive(), () -> "the host exited: " + read(log));
                return status(client, "http://127.0.0.1:" + port + "/stream/pattern?run=warm&bytes=1") == 200;
            });

            long started = System.nanoTime();
            long read;
            long crc;
            try (StreamClient stream = StreamClient.get(port, "/stream/pattern?run=gib&bytes=" + GIB, 1 << 20)) {
                assertEquals(200, stream.status);
                assertEquals("chunked", stream.headers.get("transfer-encoding"));
                read = stream.readToEnd();
                crc = stream.crc.getValue();
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("1 GiB streamed from a -Xmx256m host in %.2f s (%.0f MiB/s)%n", seconds, 1024 / seconds);
            assertEquals(GIB, read, "bytes read");
            assertEquals(StreamedAnswersTest.expectedCrc(GIB), crc, "the body's checksum");

            assertTrue(host.isAlive(), "the host is still up");
            assertEquals(200, status(client, "http://127.0.0.1:" + adminPort + "/health"));
            HttpResponse<String> progress = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/stream/progress?run=gib")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, progress.statusCode(), progress.body());
            assertEquals("ended", JSON.readTree(progress.body()).get("state").asText(), progress.body());
            assertFalse(read(log).contains("OutOfMemoryError"), "the host log mentions an OutOfMemoryError");
        } finally {
            host.destroy();
            if (!host.waitFor(15, TimeUnit.SECONDS)) {
                host.destroyForcibly();
            }
        }
    }

    private static int status(HttpClient client, String url) {
        try {
            return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException notYet) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "(no log)";
        } catch (IOException e) {
            return "(cannot read the log: " + e + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
