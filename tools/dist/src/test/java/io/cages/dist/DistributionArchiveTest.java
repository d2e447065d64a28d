package io.cages.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cages.host.HostConfig;
import io.cages.host.spi.Settings;
import io.cages.host.testing.Await;
import io.cages.host.testing.Ports;
import java.io.IOException;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The installable archive as an operator gets it: unpacked in a folder of its own, the host started from its
 * {@code bin/cages-host} with its own configs (only the ports changed, to free ones), a cage deployed and
 * listed with its {@code bin/cagectl}, called over HTTP, its log file written under the archive's
 * {@code logs/}, and stopped with SIGTERM.
 */
class DistributionArchiveTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ARCHIVE = Path.of(System.getProperty("cages.archive", "target/cages.tar.gz"));

    @TempDir
    Path dir;

    private record Run(int exit, String output) {
    }

    @Test
    void unpacksStartsServesLogsAndStopsFromItsOwnFolder() throws Exception {
        assertTrue(Files.isRegularFile(ARCHIVE), "no archive at " + ARCHIVE + " (made by this module's build)");
        Run untar = run(dir, List.of("tar", "-xzf", ARCHIVE.toAbsolutePath().toString()), Map.of());
        assertEquals(0, untar.exit(), untar.output());
        Path home;
        try (Stream<Path> top = Files.list(dir)) {
            home = top.filter(p -> p.getFileName().toString().startsWith("cages-")).findFirst().orElseThrow();
        }
        assertLaidOut(home);

        int port = Ports.free();
        int adminPort = Ports.free();
        Path hostJson = home.resolve("configs/host.json");
        ObjectNode config = (ObjectNode) JSON.readTree(hostJson.toFile());
        ((ObjectNode) config.get("http")).put("port", port).put("adminPort", adminPort);
        JSON.writerWithDefaultPrettyPrinter().writeValue(hostJson.toFile(), config);
        Map<String, String> env = Map.of("CAGES_ADMIN", "http://127.0.0.1:" + adminPort);

        Path console = dir.resolve("console.log");
        ProcessBuilder start = new ProcessBuilder(home.resolve("bin/cages-host").toString())
                .directory(dir.toFile()) // not the archive: the launcher finds its own folder
                .redirectErrorStream(true).redirectOutput(console.toFile());
        withJdk(start.environment()).putAll(env);
        Process host = start.start();
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            Await.until("the archive's host answers on its admin port", Duration.ofSeconds(90), () -> {
                if (!host.isAlive()) {
                    throw new AssertionError("the host exited with " + host.exitValue() + ":\n" + text(console));
                }
                return status(client, "http://127.0.0.1:" + adminPort + "/health") == 200;
            });

            Run deploy = run(home, List.of("bin/cagectl", "deploy", "cages/hello.jar"), env);
            assertEquals(0, deploy.exit(), deploy.output());
            assertTrue(deploy.output().contains("deployed hello"), deploy.output());

            HttpResponse<String> greeting = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/hello/greet?name=Ada")).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, greeting.statusCode(), greeting.body());
            assertTrue(greeting.body().contains("Hello, Ada!"), greeting.body());

            Run list = run(dir, List.of(home.resolve("bin/cagectl").toString(), "list"), env);
            assertEquals(0, list.exit(), list.output());
            assertTrue(list.output().contains("hello") && list.output().contains("1.0.0"), list.output());

            Path log = home.resolve("logs/cages.log");
            Await.until("the deploy is in the archive's log file", Duration.ofSeconds(10),
                    () -> text(log).contains("cage hello 1.0.0"));
            assertTrue(Files.isDirectory(home.resolve("work/felix-cache")), "state lives in the archive's work/");
        } finally {
            host.destroy(); // SIGTERM: the launcher exec'd the JVM, so this reaches the host itself
            if (!host.waitFor(60, TimeUnit.SECONDS)) {
                host.destroyForcibly();
            }
        }
        assertEquals(143, host.exitValue(), "a clean stop on SIGTERM:\n" + text(console));
        assertTrue(text(home.resolve("logs/cages.log")).contains("stopped in"), text(console));
    }

    /** The example /etc layout the systemd unit uses is a config the host accepts, with the paths the unit names. */
    @Test
    void theEtcExampleIsAValidConfig() throws Exception {
        Path etc = Path.of(System.getProperty("cages.repo", "../..")).resolve("tools/dist/src/main/dist/share/etc");
        HostConfig config = HostConfig.load(etc.resolve("cages/host.json"));
        assertEquals(Path.of("/var/lib/cages/work"), config.workDir());
        assertEquals(Path.of("/etc/cages/cages"), config.cageConfigDir());
        assertEquals(Path.of("/etc/cages/resources.json"), config.resourcesFile());
        assertTrue(Settings.parse(Files.readAllBytes(etc.resolve("cages/resources.json"))).isObject());
    }

    /** What README.md in the archive promises is there. */
    private static void assertLaidOut(Path home) throws IOException {
        for (String executable : List.of("bin/cages-host", "bin/cagectl", "bin/find-jdk.sh")) {
            assertTrue(Files.isExecutable(home.resolve(executable)), executable);
        }
        for (String file : List.of("README.md", "configs/host.json", "configs/resources.json", "configs/logback.example.xml",
                "configs/jvm.options", "configs/cagectl.jvm.options", "configs/cages/greeter.json", "cages/hello.jar",
                "share/etc/cages/host.json", "share/etc/cages/resources.json",
                "share/etc/default/cages")) {
            assertTrue(Files.isRegularFile(home.resolve(file)), file);
        }
        try (Stream<Path> lib = Files.list(home.resolve("lib"))) {
            assertTrue(lib.anyMatch(p -> p.getFileName().toString().startsWith("cages-host-")), "lib/ holds the host");
        }
        try (Stream<Path> cagectl = Files.list(home.resolve("lib/cagectl"))) {
            assertTrue(cagectl.anyMatch(p -> p.getFileName().toString().startsWith("cages-cagectl-")), "lib/cagectl/ holds cagectl");
        }
        String unit = Files.readString(home.resolve("share/systemd/cages.service"));
        for (String line : List.of("User=cages", "Restart=on-failure", "WorkingDirectory=/var/lib/cages",
                "EnvironmentFile=-/etc/default/cages", "ExecStart=/opt/cages/bin/cages-host")) {
            assertTrue(unit.lines().anyMatch(line::equals), line);
        }
        String logback = Files.readString(home.resolve("configs/logback.example.xml"));
        assertTrue(logback.contains("RollingFileAppender") && logback.contains("totalSizeCap"), "file logs with bounded rotation");
    }

    /** The launchers should run on the JDK running this test, whatever else is installed. */
    private static Map<String, String> withJdk(Map<String, String> env) {
        env.keySet().removeIf(name -> name.startsWith("CAGES_") || name.startsWith("CAGECTL_"));
        env.put("JAVA_HOME", System.getProperty("java.home"));
        return env;
    }

    private static Run run(Path in, List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).directory(in.toFile()).redirectErrorStream(true);
        withJdk(builder.environment()).putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish in 60 s:\n" + output);
        }
        return new Run(process.exitValue(), output);
    }

    /** The file's text, or "" while it is not there (a log file not yet created). */
    private static String text(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException notYet) {
            return "";
        }
    }

    /** The status of a GET, or -1 while nothing answers. */
    private static int status(HttpClient client, String url) {
        try {
            return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException notYet) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
