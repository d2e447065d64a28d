package io.cages.devloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.testing.Await;
import io.cages.transport.http.HttpTransport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dev loop against a real host (real Felix, the real HTTP transport and admin API) on a copy of the hello
 * cage's handler in a project folder of its own: saves go live, and a compile error or a failing self-test
 * leaves the version that was serving in place and says why.
 */
class DevLoopTest {

    private static final Path HELLO_SOURCE = Path.of("../../cages/hello/src/main/java/io/cages/examples/hello/HelloCage.java");
    private static final Duration LIVE = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    private Host host;
    private HttpTransport http;
    private Path project;
    private Path handler;
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private DevLoop loop;
    private Thread watching;

    @BeforeEach
    void startHostAndProject() throws Exception {
        http = new HttpTransport();
        host = Host.start(HostConfig.defaults().withWorkDir(tmp.resolve("work")).withCageConfigDir(tmp.resolve("configs"))
                .withHttp(HostConfig.Http.ephemeral()), List.of(http));
        project = tmp.resolve("hello-project");
        handler = project.resolve("src/main/java/io/cages/examples/hello/HelloCage.java");
        Files.createDirectories(handler.getParent());
        Files.copy(HELLO_SOURCE, handler);
        Files.writeString(project.resolve("bnd.bnd"), """
                Cage-Name: hello
                Cage-Handler: io.cages.examples.hello.HelloCage
                Cage-Idempotent: greet, echo, sleep
                Bundle-Version: 1.0.0
                """);
    }

    @AfterEach
    void stop() throws Exception {
        if (loop != null) {
            loop.stop();
            if (watching != null) {
                watching.join(30_000);
            }
            loop.close();
        }
        if (host != null) {
            host.close();
        }
    }

    @Test
    void aSaveGoesLive() throws Exception {
        startWatching();
        Await.until("the first build to serve", LIVE, () -> greeting().contains("Hello, Ada!"));

        edit("\"Hello, \"", "\"Bonjour, \"");

        Await.until("the edit to serve", LIVE, () -> greeting().contains("Bonjour, Ada!"));
        Await.until("the dev loop to print the new version", LIVE, () -> printed().contains("hello 1.0.0.dev-2 serving"));
        assertTrue(greeting().contains("\"version\":\"1.0.0.dev-2\""), greeting());
    }

    @Test
    void aCompileErrorKeepsTheOldVersionServingAndSaysFileAndLine() throws Exception {
        startWatching();
        Await.until("the first build to serve", LIVE, () -> greeting().contains("Hello, Ada!"));

        String line = "    private Map<String, Object> greet(String name) {";
        int lineNumber = Files.readAllLines(handler).indexOf(line) + 1;
        assertTrue(lineNumber > 0, "the hello handler changed; update this test's anchor line");
        edit(line, line + " int broken = \"not a number\";");

        String where = "src/main/java/io/cages/examples/hello/HelloCage.java:" + lineNumber + ": incompatible types";
        // Waits for the error's file and line, not only the summary line: a check between the two lines of one
        // report once read half of it.
        Await.until("the compile error to be printed with its file and line", LIVE,
                () -> printed().contains("compile failed") && printed().contains(where));
        String out = printed();
        assertTrue(out.contains("compile failed (1 error); hello 1.0.0.dev-1 still serving"), out);
        assertTrue(out.contains(where), out);
        assertTrue(greeting().contains("\"version\":\"1.0.0.dev-1\""), greeting());

        // Fixing the error deploys again, with the change made meanwhile.
        Files.writeString(handler, Files.readString(HELLO_SOURCE).replace("\"Hello, \"", "\"Hej, \""));
        Await.until("the fixed source to serve", LIVE, () -> greeting().contains("Hej, Ada!"));
    }

    @Test
    void aFailingSelfTestKeepsTheOldVersionServingAndSaysWhy() throws Exception {
        startWatching();
        Await.until("the first build to serve", LIVE, () -> greeting().contains("Hello, Ada!"));

        // A self-test that fails in every dev version, and a visible change that must not go live with it.
        String text = Files.readString(handler);
        String check = "if (!greet(\"self-test\").get(\"greeting\").toString().contains(\"self-test\")) {";
        assertTrue(text.contains(check), "the hello handler's self-test changed; update this test");
        Files.writeString(handler, text.replace(check, "if (version.contains(\".dev-\")) {").replace("\"Hello, \"", "\"Ciao, \""));

        Await.until("the failed deploy to be printed", LIVE, () -> printed().contains("not deployed"));
        String out = printed();
        assertTrue(out.contains("not deployed: self-test failed: "), out);
        assertTrue(out.contains("greet does not greet"), out);
        assertTrue(out.contains("hello 1.0.0.dev-1 still serving"), out);
        assertTrue(greeting().contains("Hello, Ada!"), greeting());
    }

    @Test
    void onceBuildsAndDeploysOneTime() throws Exception {
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        int code = DevLoop.run(new String[] {project.toString(), "--once", "--admin", "http://127.0.0.1:" + http.adminPort()}, null, out);

        assertEquals(0, code, printed());
        assertTrue(printed().contains("hello 1.0.0.dev-1 serving"), printed());
        assertTrue(greeting().contains("Hello, Ada!"), greeting());
    }

    @Test
    void theBundleHasTheSharedCageHeaders() throws Exception {
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        assertEquals(0, DevLoop.run(new String[] {project.toString(), "--once", "--admin", "http://127.0.0.1:" + http.adminPort()}, null, out), printed());

        Attributes manifest;
        try (JarFile jar = new JarFile(project.resolve("target/cages-dev/hello.jar").toFile())) {
            manifest = jar.getManifest().getMainAttributes();
            assertTrue(jar.getEntry("io/cages/examples/hello/HelloCage.class") != null, "the handler class is in the bundle");
        }
        assertEquals("cage.hello", manifest.getValue("Bundle-SymbolicName"));
        assertEquals("1.0.0.dev-1", manifest.getValue("Bundle-Version"));
        assertEquals("io.cages.examples.hello.HelloCage", manifest.getValue("Cage-Handler"));
        assertTrue(manifest.getValue("Import-Package").matches("io\\.cages\\.api;version=\"\\[\\d+\\.\\d+,\\d+\\)\""),
                manifest.getValue("Import-Package"));
        assertEquals(null, manifest.getValue("Export-Package"));
        assertEquals(null, manifest.getValue("Bnd-LastModified"), "reproducible: no timestamp");
    }

    @Test
    void onceWithoutAHostSaysTheAdminApiCannotBeReached() throws Exception {
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        int closedPort = http.adminPort();
        host.close();
        host = null;

        int code = DevLoop.run(new String[] {project.toString(), "--once", "--admin", "http://127.0.0.1:" + closedPort}, null, out);

        assertEquals(1, code, printed());
        assertTrue(printed().contains("could not be reached"), printed());
    }

    @Test
    void aFolderWithoutBndFileIsNotACageProject() throws Exception {
        Files.delete(project.resolve("bnd.bnd"));
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

        int code = DevLoop.run(new String[] {project.toString(), "--once"}, null, out);

        assertEquals(1, code);
        assertTrue(printed().contains("is not a cage project: it has no bnd.bnd"), printed());
    }

    private void startWatching() {
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        loop = new DevLoop(CageProject.at(project), List.of(ClassPaths.cageApi()), "http://127.0.0.1:" + http.adminPort(), out);
        watching = new Thread(() -> {
            try {
                loop.watch(true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "dev-loop");
        watching.start();
    }

    private void edit(String from, String to) throws IOException {
        String text = Files.readString(handler);
        assertTrue(text.contains(from), "the hello handler has no '" + from + "'; update this test");
        Files.writeString(handler, text.replace(from, to));
    }

    private String printed() {
        return printed.toString(StandardCharsets.UTF_8);
    }

    private String greeting() {
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + http.port() + "/hello/greet?name=Ada")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() + " " + response.body();
        } catch (IOException e) {
            return e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return e.toString();
        }
    }
}
