package io.cages.dist;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A host in its own JVM, started from the distribution's class path ({@code target/lib}) the way
 * {@code tools/bin/cages run} starts one: a config file, a deploy folder seeded with cage jars, a log file.
 * {@link #kill()} is kill -9; {@link #close()} is a clean stop (SIGTERM).
 */
final class HostProcess implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final Path LIB = Path.of(System.getProperty("cages.lib", "target/lib"));
    /** The admin token of hosts whose admin listener is beyond loopback (the network-namespace tests). */
    static final String ADMIN_TOKEN = "host-process-admin-token";

    final String name;
    final Path dir;
    final String address;
    final int httpPort;
    final int adminPort;
    private final Process process;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private HostProcess(String name, Path dir, String address, int httpPort, int adminPort, Process process) {
        this.name = name;
        this.address = address;
        this.dir = dir;
        this.httpPort = httpPort;
        this.adminPort = adminPort;
        this.process = process;
    }

    /**
     * Starts a host named {@code name} in {@code dir} with the given cage jars, and waits until its admin API
     * answers. {@code transports} is merged into the config's {@code transports} section.
     *
     * @param prefix command words put before {@code java} (e.g. {@code ip netns exec ns1}), or empty
     */
    static HostProcess start(String name, Path dir, Map<String, byte[]> cages, ObjectNode transports, List<String> prefix)
            throws IOException, InterruptedException {
        return start(name, dir, cages, transports, prefix, "127.0.0.1");
    }

    /** As above, for a host reachable at {@code address} (its network namespace's address). */
    static HostProcess start(String name, Path dir, Map<String, byte[]> cages, ObjectNode transports, List<String> prefix,
                             String address) throws IOException, InterruptedException {
        return start(name, dir, cages, transports, prefix, address, null);
    }

    /** As above, with {@code resources} as the host's resources file (none when null). */
    static HostProcess start(String name, Path dir, Map<String, byte[]> cages, ObjectNode transports, List<String> prefix,
                             String address, ObjectNode resources) throws IOException, InterruptedException {
        return start(name, dir, cages, transports, prefix, address, resources, null);
    }

    /** As above, with {@code more} (top-level host.json keys, e.g. {@code health}) added to the config. */
    static HostProcess start(String name, Path dir, Map<String, byte[]> cages, ObjectNode transports, List<String> prefix,
                             String address, ObjectNode resources, ObjectNode more) throws IOException, InterruptedException {
        Files.createDirectories(dir.resolve("deploy"));
        Files.createDirectories(dir.resolve("configs"));
        for (Map.Entry<String, byte[]> cage : cages.entrySet()) {
            Files.write(dir.resolve("deploy").resolve(cage.getKey() + ".jar"), cage.getValue());
        }
        int httpPort = freePort();
        int adminPort = freePort();
        ObjectNode config = JSON.createObjectNode();
        config.put("name", name);
        config.put("workDir", dir.resolve("work").toString());
        config.put("deployDir", dir.resolve("deploy").toString());
        config.put("cageConfigDir", dir.resolve("configs").toString());
        config.put("shutdownTimeoutMs", 10_000);
        ObjectNode http = config.putObject("http");
        http.put("bind", address);
        http.put("port", httpPort);
        http.put("adminBind", address);
        http.put("adminPort", adminPort);
        if (!InetAddress.getByName(address).isLoopbackAddress()) {
            http.put("adminToken", ADMIN_TOKEN); // an admin listener beyond loopback needs one to start
        }
        if (transports != null) {
            config.set("transports", transports);
        }
        if (more != null) {
            config.setAll(more);
        }
        Path resourcesFile = dir.resolve("resources.json");
        if (resources != null) {
            JSON.writerWithDefaultPrettyPrinter().writeValue(resourcesFile.toFile(), resources);
        }
        config.put("resourcesFile", resourcesFile.toString());
        Path configFile = dir.resolve("host.json");
        JSON.writerWithDefaultPrettyPrinter().writeValue(configFile.toFile(), config);

        List<String> command = new ArrayList<>(prefix);
        command.add(ProcessHandle.current().info().command().orElse("java"));
        if (Runtime.version().feature() >= 24) {
            command.add("--sun-misc-unsafe-memory-access=allow");
            command.add("--enable-native-access=ALL-UNNAMED");
        }
        command.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Djava.net.preferIPv4Stack=true",
                // The host's log files go beside its state, not into the module's folder (the default is ./logs).
                "-Dcages.logs=" + dir.resolve("logs").toAbsolutePath(),
                "-cp", LIB.toAbsolutePath() + "/*", "io.cages.host.Main", "--config", configFile.toString()));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("host.log").toFile())
                .start();
        HostProcess host = new HostProcess(name, dir, address, httpPort, adminPort, process);
        host.awaitHealthy(Duration.ofSeconds(60));
        return host;
    }

    private void awaitHealthy(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (!process.isAlive()) {
                throw new IllegalStateException("host " + name + " exited with " + process.exitValue() + ":\n" + log());
            }
            try {
                if (admin("/health").statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50); // polling the health endpoint; the loop condition decides
        }
        throw new IllegalStateException("host " + name + " did not become healthy in " + timeout + ":\n" + log());
    }

    /** Deploys a jar through this host's admin API. */
    HttpResponse<String> deploy(byte[] jar) throws IOException, InterruptedException {
        return client.send(withToken(HttpRequest.newBuilder(URI.create("http://" + address + ":" + adminPort + "/deploy")))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(jar)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Names of the hosts this host's directory lists as running {@code cage}. A directory that cannot be read
     * fails the test (AssertionError): waits on it must never take "unreadable" for "not there".
     */
    java.util.Set<String> flockRunning(String cage) {
        java.util.Set<String> names = new java.util.TreeSet<>();
        for (com.fasterxml.jackson.databind.JsonNode member : flock()) {
            for (com.fasterxml.jackson.databind.JsonNode c : member.path("cages")) {
                if (c.asText().startsWith(cage + "@")) {
                    names.add(member.path("name").asText());
                }
            }
        }
        return names;
    }

    /**
     * Names of all hosts in this host's directory. Throws when the directory cannot be read (no answer, an
     * error status, not a list of named members): an unreadable directory must never pass for one that
     * lacks a host. It fails the test (AssertionError), so waits may call it directly.
     */
    java.util.Set<String> flockMembers() {
        java.util.Set<String> names = new java.util.TreeSet<>();
        for (com.fasterxml.jackson.databind.JsonNode member : flock()) {
            String memberName = member.path("name").asText("");
            if (memberName.isEmpty()) {
                throw new AssertionError(name + ": GET /flock lists a member without a name: " + member);
            }
            names.add(memberName);
        }
        return names;
    }

    /** This host's {@code GET /flock}; one that cannot be read fails the test. */
    private com.fasterxml.jackson.databind.JsonNode flock() {
        try {
            return adminArray("/flock");
        } catch (IOException e) {
            throw new AssertionError("cannot read the flock of " + name + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted reading the flock of " + name, e);
        }
    }

    /** An admin GET that must answer 200 with a JSON array; throws IOException otherwise. */
    com.fasterxml.jackson.databind.JsonNode adminArray(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = admin(path);
        if (response.statusCode() != 200) {
            throw new IOException(name + ": GET " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        com.fasterxml.jackson.databind.JsonNode tree = JSON.readTree(response.body());
        if (!tree.isArray()) {
            throw new IOException(name + ": GET " + path + " did not answer a JSON array: " + response.body());
        }
        return tree;
    }

    /** The request with this host's admin token, when it has one. */
    private HttpRequest.Builder withToken(HttpRequest.Builder request) throws IOException {
        return InetAddress.getByName(address).isLoopbackAddress() ? request : request.header("Authorization", "Bearer " + ADMIN_TOKEN);
    }

        HttpResponse<String> admin(String path) throws IOException, InterruptedException {
        return client.send(withToken(HttpRequest.newBuilder(URI.create("http://" + address + ":" + adminPort + path)))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    URI http(String pathAndQuery) {
        return URI.create("http://" + address + ":" + httpPort + pathAndQuery);
    }

    String log() {
        try {
            return Files.readString(dir.resolve("host.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The host JVM's process id ({@code ip netns exec} execs java, so it is the JVM's own). */
    long pid() {
        return process.pid();
    }

    /** kill -9: no shutdown hook, no goodbye to the flock. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(20, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    static int freePort() {
        return io.cages.host.testing.Ports.free();
    }
}
