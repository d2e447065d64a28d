package io.cages.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a cage author outside this repository does: {@code cages new} in a folder of their own, a plain
 * {@code mvn package} there (which runs the project's own testing-kit tests on a real host), then the jar deployed
 * to a running host and called over HTTP. With a JDK older than 21 installed, the same build stops at once with the
 * cage parent's message.
 */
class CagesNewEndToEndTest {

    private static final Path REPO = Path.of(System.getProperty("cages.repo", "../..")).toAbsolutePath().normalize();
    private static final Path CAGES = REPO.resolve("tools/bin/cages");

    @TempDir
    Path dir;

    @Test
    void aNewCageBuildsWithPlainMavenOutsideTheRepositoryAndServesOnAHost() throws Exception {
        Assumptions.assumeTrue(onPath("mvn"), "skipped: mvn is not on PATH (the test builds a new cage project with plain Maven)");
        Path project = dir.resolve("orders");

        // CAGES_SDK_INSTALL=1: install the SDK of this build, not whatever an earlier build left in ~/.m2.
        Result created = run(dir, Map.of("CAGES_SDK_INSTALL", "1"), CAGES.toString(), "new", "orders", project.toString());
        assertEquals(0, created.exit(), created.output());
        assertTrue(created.output().contains("created cage 'orders'"), created.output());
        for (String file : List.of("pom.xml", "bnd.bnd", "README.md", "src/main/java/com/example/orders/OrdersCage.java",
                "src/test/java/com/example/orders/OrdersCageTest.java")) {
            assertTrue(Files.isRegularFile(project.resolve(file)), "cages new wrote no " + file);
        }

        Result built = run(project, Map.of(), "mvn", "-B", "-o", "package");
        assertEquals(0, built.exit(), built.output());
        assertTrue(built.output().contains("Tests run: 3, Failures: 0, Errors: 0, Skipped: 0"),
                "the project's own testing-kit tests ran: " + built.output());
        Path jar = project.resolve("target/orders-0.1.0-SNAPSHOT.jar");
        assertTrue(Files.isRegularFile(jar), "no " + jar + " after mvn package");

        olderJdk().ifPresent(old -> {
            try {
                Result refused = run(project, Map.of("JAVA_HOME", old.toString(), "PATH", old + "/bin" + File.pathSeparator + System.getenv("PATH")),
                        "mvn", "-B", "-o", "package");
                assertEquals(1, refused.exit(), refused.output());
                assertTrue(refused.output().contains("Cages need JDK 21 or newer to build; Maven runs on JDK "), refused.output());
            } catch (IOException | InterruptedException e) {
                throw new AssertionError(e);
            }
        });

        try (RunningHost running = new RunningHost(RunningHost.configIn(dir.resolve("host")))) {
            HttpResponse<String> deployed = running.deploy(Files.readAllBytes(jar));
            assertEquals(200, deployed.statusCode(), deployed.body());
            HttpResponse<String> answer = running.get("/orders/hello?name=Ada");
            assertEquals(200, answer.statusCode(), answer.body());
            JsonNode body = new ObjectMapper().readTree(answer.body());
            assertEquals("Hello, Ada, from orders!", body.path("message").asText(), answer.body());
            // bnd-maven-plugin turns the pom's 0.1.0-SNAPSHOT into 0.1.0.<build time>: every snapshot build is a new version.
            assertTrue(body.path("version").asText().matches("0\\.1\\.0\\.\\d{12}"), "Bundle-Version from the pom's version: " + answer.body());
        }
    }

    @Test
    void anInvalidNameIsRefusedWithTheRule() throws Exception {
        Result refused = run(dir, Map.of(), CAGES.toString(), "new", "Orders");
        assertEquals(2, refused.exit(), refused.output());
        assertTrue(refused.output().contains("'Orders' is not a valid cage name: use lower-case letters, digits and '-'"), refused.output());
        assertTrue(Files.notExists(dir.resolve("Orders")), "nothing was created");
    }

    @Test
    void aNonEmptyFolderIsRefused() throws Exception {
        Path taken = Files.createDirectories(dir.resolve("taken"));
        Files.writeString(taken.resolve("notes.txt"), "mine");
        Result refused = run(dir, Map.of(), CAGES.toString(), "new", "orders", taken.toString());
        assertEquals(1, refused.exit(), refused.output());
        assertTrue(refused.output().contains(taken + " is not empty"), refused.output());
        assertEquals(List.of(taken.resolve("notes.txt")), Files.list(taken).toList(), "the folder is untouched");
    }

    private record Result(int exit, String output) {
    }

    /** Runs a command with the JDK of this test as JAVA_HOME (Maven on this machine may default to an older one). */
    private static Result run(Path workDir, Map<String, String> env, String... command) throws IOException, InterruptedException {
        Path log = Files.createTempFile("cages-new-", ".log");
        try {
            ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(List.of(command))).directory(workDir.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            String javaHome = System.getProperty("java.home");
            builder.environment().put("JAVA_HOME", javaHome);
            builder.environment().put("PATH", javaHome + "/bin" + File.pathSeparator + System.getenv("PATH"));
            builder.environment().putAll(env);
            Process process = builder.start();
            if (!process.waitFor(10, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish in 10 minutes: " + Files.readString(log));
            }
            return new Result(process.exitValue(), Files.readString(log));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** A JDK older than 21 under /usr/lib/jvm (its release file says JAVA_VERSION), to see the parent's JDK check. */
    private static java.util.Optional<Path> olderJdk() throws IOException {
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return java.util.Optional.empty();
        }
        try (var homes = Files.list(jvms)) {
            return homes.filter(home -> Files.isExecutable(home.resolve("bin/java")) && majorOf(home) > 0 && majorOf(home) < 21)
                    .findFirst();
        }
    }

    private static int majorOf(Path home) {
        try {
            for (String line : Files.readAllLines(home.resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String version = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                    String major = version.startsWith("1.") ? version.substring(2) : version;
                    return Integer.parseInt(major.split("[.\\-+]")[0]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not a JDK we can read: ignore it
        }
        return -1;
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String entry : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(entry, program))) {
                return true;
            }
        }
        return false;
    }
}
