package io.cages.process;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.admin.DeployRecord;
import io.cages.host.spi.Dispatcher;
import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.Reply;
import io.cages.transport.http.HttpTransport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** A real host with the HTTP transport, process cage archives built in the test, and ways to call them. */
final class ProcessKit implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    final Host host;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final int port;

    ProcessKit(Path dir) throws Exception {
        HostConfig config = HostConfig.defaults().withWorkDir(dir.resolve("work")).withCageConfigDir(dir.resolve("configs"))
                .withHttp(HostConfig.Http.ephemeral());
        host = Host.start(config, List.of(new HttpTransport()));
        port = host.transport(HttpTransport.class).orElseThrow().port();
    }

    /** A zip with {@code cage.json} (from the given keys) and the named files. */
    static byte[] archive(Map<String, Object> manifest, Map<String, String> files) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("cage.json"));
            zip.write(JSON.writeValueAsBytes(manifest));
            zip.closeEntry();
            for (Map.Entry<String, String> file : files.entrySet()) {
                zip.putNextEntry(new ZipEntry(file.getKey()));
                zip.write(file.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** A manifest map: name, version, command, then key/value pairs. */
    static Map<String, Object> manifest(String name, String version, List<String> command, Object... more) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("version", version);
        m.put("command", command);
        for (int i = 0; i < more.length; i += 2) {
            m.put((String) more[i], more[i + 1]);
        }
        return m;
    }

    DeployRecord deploy(byte[] archive) {
        return host.admin().deploy(archive, "test");
    }

    DeployRecord deployOk(byte[] archive) {
        DeployRecord record = deploy(archive);
        if (!record.succeeded()) {
            throw new AssertionError("deploy failed: " + record);
        }
        return record;
    }

    CompletableFuture<Reply> call(String cage, String operation, Map<String, Object> params, long timeoutMs) {
        Dispatcher d = host.dispatcher();
        return d.dispatch(new InboundRequest(d.newRequestId(), cage, operation, params, null, null, null, "test",
                Deadline.afterMillis(timeoutMs)));
    }

    JsonNode callOk(String cage, String operation, Map<String, Object> params) throws Exception {
        return call(cage, operation, params, 10_000).get(15, TimeUnit.SECONDS).value();
    }

    static CageException failureOf(CompletableFuture<Reply> call) throws Exception {
        try {
            Reply reply = call.get(20, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure, got " + reply.value());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CageException c) {
                return c;
            }
            throw new AssertionError("expected a CageException", e.getCause());
        }
    }

    record HttpAnswer(int status, String body) {
        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    HttpAnswer post(String path, String body, String contentType, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", contentType);
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new HttpAnswer(response.statusCode(), response.body());
    }

    HttpAnswer getWithHeader(String path, String header, String value) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20)).header(header, value).GET().build(), HttpResponse.BodyHandlers.ofString());
        return new HttpAnswer(response.statusCode(), response.body());
    }

    HttpAnswer get(String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return new HttpAnswer(response.statusCode(), response.body());
    }

    /**
     * Processes still alive whose command line contains {@code marker} (read from /proc): what a cage left behind.
     */
    static List<Long> processesWith(String marker) {
        List<Long> found = new ArrayList<>();
        try (var entries = Files.list(Path.of("/proc"))) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                String name = entry.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    byte[] cmdline = Files.readAllBytes(entry.resolve("cmdline"));
                    String stat = Files.readString(entry.resolve("stat"));
                    boolean zombie = stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
                    if (!zombie && new String(cmdline, StandardCharsets.UTF_8).replace('\0', ' ').contains(marker)) {
                        found.add(Long.parseLong(name));
                    }
                } catch (IOException e) {
                    // the process ended while we looked
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    @Override
    public void close() {
        host.close();
    }
}
