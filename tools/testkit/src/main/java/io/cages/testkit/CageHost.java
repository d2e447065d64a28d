package io.cages.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.cages.api.CageException;
import io.cages.api.CageHandler;
import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.admin.ConfigProblem;
import io.cages.host.admin.DeployRecord;
import io.cages.host.spi.Dispatcher;
import io.cages.host.spi.HostJson;
import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.Reply;
import io.cages.transport.http.HttpTransport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real host for one test: embedded Felix, the HTTP transport on free loopback ports, its work, deploy and
 * config folders in a temp directory that {@link #close()} deletes. Calls go in-process ({@link #call}) or over
 * HTTP ({@link #http}); deploys go through the same swap path as {@code cagectl deploy}, self-test included.
 */
public final class CageHost implements AutoCloseable {

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    /** A streamed answer is collected into the reply's bytes up to this. */
    private static final int MAX_STREAMED_ANSWER_BYTES = 64 * 1024 * 1024;

    private final Path dir;
    private final CageProject project;
    private final Host host;
    private final HttpTransport http;
    private final Stubs stubs = new Stubs();
    private final AtomicInteger swaps = new AtomicInteger();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private String cageName;

    private CageHost(Path dir, CageProject project, Host host, HttpTransport http) {
        this.dir = dir;
        this.project = project;
        this.host = host;
        this.http = http;
    }

    /** Starts an empty host in {@code dir} for the cage project {@code project}. */
    public static CageHost start(Path dir, CageProject project) throws Exception {
        HostConfig config = HostConfig.defaults()
                .withName("cage-test")
                .withWorkDir(dir.resolve("work"))
                .withCageConfigDir(Files.createDirectories(dir.resolve("configs")))
                .withResourcesFile(dir.resolve("resources.json"))
                .withHttp(HostConfig.Http.ephemeral());
        HttpTransport http = new HttpTransport();
        return new CageHost(dir, project, Host.start(config, List.of(http)), http);
    }

    /** The cage under test, as its bnd.bnd names it. */
    public String cageName() {
        if (cageName == null) {
            cageName = project.cageName();
        }
        return cageName;
    }

    /** The project the cage under test is built from. */
    public CageProject project() {
        return project;
    }

    /** The host itself, for what this class does not cover (admin views, dispatcher, transports). */
    public Host host() {
        return host;
    }

    /** Builds the cage under test from the project and deploys it; fails the test if it does not serve. */
    public DeployRecord deployProject() {
        return requireServing(deploy(project.build()));
    }

    /**
     * Builds the cage under test again and swaps it in as a new version (its Bundle-Version gets a qualifier),
     * through the normal swap path: start, self-test, then the old version drains. Fails the test if the new
     * version does not serve.
     */
    public DeployRecord swap() {
        return requireServing(deploy(project.build(swapVersion(swaps.incrementAndGet()))));
    }

    /** Deploys any cage jar (a second cage, a broken build); the record says whether it serves. */
    public DeployRecord deploy(byte[] jar) {
        return host.admin().deploy(jar, "test");
    }

    /** Deploys the cage jar at {@code jar}. */
    public DeployRecord deploy(Path jar) {
        try {
            return deploy(Files.readAllBytes(jar));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Deploys a stub cage called {@code name} whose calls {@code handler} answers, e.g.
     * {@code host.stub("billing", request -> Response.of(Map.of("charged", true)))}, so that the cage under test
     * can call it by name. A second stub of the same name replaces the first through a swap.
     */
    public DeployRecord stub(String name, CageHandler handler) {
        if (!HostConfig.isValidCageName(name)) {
            throw new IllegalArgumentException("'" + name + "' is not a valid cage name (lower-case letters, digits, '-', starting with a letter)");
        }
        return requireServing(deploy(stubs.jar(name, handler)));
    }

    /** Calls the cage under test in-process; a failed call throws its {@link CageException}. */
    public JsonNode call(String operation, Map<String, ?> params) throws CageException {
        return call(cageName(), operation, params);
    }

    /** Calls any cage on this host in-process; a failed call throws its {@link CageException}. */
    public JsonNode call(String cage, String operation, Map<String, ?> params) throws CageException {
        Reply reply = reply(cage, operation, params);
        return reply.hasValue() ? reply.value() : MissingNode.getInstance();
    }

    /** Calls in-process and answers the whole reply: value or bytes, content type, attributes, version. */
    public Reply reply(String cage, String operation, Map<String, ?> params) throws CageException {
        Dispatcher dispatcher = host.dispatcher();
        Map<String, Object> copy = Map.copyOf(params);
        InboundRequest request = new InboundRequest(dispatcher.newRequestId(), cage, operation, copy, null, null, null, "test", null);
        try {
            return dispatcher.dispatch(request).thenCompose(r -> r.collected(MAX_STREAMED_ANSWER_BYTES, "test kit's answer limit"))
                    .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CageException failure) {
                throw failure;
            }
            throw new AssertionError("call " + cage + "." + operation + " failed", e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("call " + cage + "." + operation + " did not answer within " + CALL_TIMEOUT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted calling " + cage + "." + operation);
        }
    }

    /** The HTTP transport's base address, e.g. {@code http://127.0.0.1:41234/}; a cage answers under /cage/operation. */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + http.port() + "/");
    }

    /** The admin API's base address (deploy, cages, history, as cagectl uses it). */
    public URI adminUrl() {
        return URI.create("http://127.0.0.1:" + http.adminPort() + "/");
    }

    /** Sends {@code request} (relative addresses resolve against {@link #baseUrl()}) and answers the response as text. */
    public HttpResponse<String> http(HttpRequest.Builder request) {
        try {
            return client.send(request.timeout(CALL_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted during an HTTP request");
        }
    }

    /** GET of {@code pathAndQuery}, e.g. {@code /hello/greet?name=Ada}. */
    public HttpResponse<String> get(String pathAndQuery) {
        return http(HttpRequest.newBuilder(baseUrl().resolve(pathAndQuery)));
    }

    /**
     * Calls an operation of the cage under test over HTTP with {@code params} as a JSON body and answers the
     * JSON reply; a reply other than 200 fails the test with its status and body.
     */
    public JsonNode callOverHttp(String operation, Map<String, ?> params) {
        HttpResponse<String> response = http(HttpRequest.newBuilder(baseUrl().resolve("/" + cageName() + "/" + operation))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json(params))));
        if (response.statusCode() != 200) {
            throw new AssertionError("POST /" + cageName() + "/" + operation + " answered " + response.statusCode() + ": " + response.body());
        }
        try {
            return HostJson.MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("POST /" + cageName() + "/" + operation + " did not answer JSON: " + response.body(), e);
        }
    }

    /** Writes the config of the cage under test; see {@link #config(String, String)}. */
    public void config(String json) {
        config(cageName(), json);
    }

    /**
     * Writes {@code json} as the config file of {@code cage} and returns once it is in force and the cage's
     * config listeners have run; a file the host rejects fails the test with the host's reason.
     */
    public void config(String cage, String json) {
        Path file = host.config().cageConfigDir().resolve(cage + ".json");
        try {
            Path partial = file.resolveSibling(cage + ".json.partial"); // never let the poller read half a file
            Files.writeString(partial, json);
            Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        host.scanCageConfigs();
        for (ConfigProblem problem : host.admin().configProblems()) {
            if (Path.of(problem.file()).equals(file)) {
                throw new AssertionError("the host rejected " + file.getFileName() + ": " + problem.reason());
            }
        }
    }

    @Override
    public void close() {
        try {
            host.close();
        } finally {
            stubs.close();
            deleteQuietly(dir);
        }
    }

    private static DeployRecord requireServing(DeployRecord record) {
        if (record.outcome() != DeployRecord.Outcome.ACTIVE) {
            throw new AssertionError("deploy of " + record.cage() + " " + record.version() + " did not serve: " + record.reason());
        }
        return record;
    }

    private String swapVersion(int swap) {
        org.osgi.framework.Version base = org.osgi.framework.Version.parseVersion(project.bundleVersion());
        String qualifier = base.getQualifier().isEmpty() ? "swap" + swap : base.getQualifier() + "-swap" + swap;
        return new org.osgi.framework.Version(base.getMajor(), base.getMinor(), base.getMicro(), qualifier).toString();
    }

    private static String json(Map<String, ?> params) {
        try {
            return HostJson.MAPPER.writeValueAsString(params);
        } catch (IOException e) {
            throw new IllegalArgumentException("params are not JSON-serializable: " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a temp folder left behind is not worth failing a test for
        }
    }
}
