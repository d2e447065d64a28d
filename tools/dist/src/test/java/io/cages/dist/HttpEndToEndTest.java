package io.cages.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cages.host.HostConfig;
import io.cages.host.testing.Await;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example cages over real HTTP: limits, deadlines, bad input, configs; the host keeps serving. */
class HttpEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    RunningHost running;
    Path greeterConfig;

    @BeforeEach
    void start() throws Exception {
        Path configs = Files.createDirectories(dir.resolve("configs"));
        greeterConfig = configs.resolve("greeter.json");
        Files.writeString(greeterConfig, "{\"greetings\": {\"en\": \"Hello\", \"fr\": \"Bonjour\"}, \"defaultLanguage\": \"en\"}");
        HostConfig config = RunningHost.configIn(dir)
                .withCageLimits("hello", new HostConfig.Limits(10_000L, 1, 0, null, null));
        running = new RunningHost(config.withHttp(HostConfig.Http.ephemeral().withMaxBodyBytes(1024)));
        assertEquals(200, running.deploy(RunningHost.example("hello")).statusCode());
        assertEquals(200, running.deploy(RunningHost.example("greeter")).statusCode());
        assertEquals(200, running.deploy(RunningHost.example("gateway")).statusCode());
    }

    @AfterEach
    void stop() {
        running.close();
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    private static void assertError(HttpResponse<String> response, int status, String error, String messagePart) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        JsonNode body = json(response);
        assertEquals(error, body.path("error").asText(), response.body());
        assertTrue(body.path("message").asText().contains(messagePart), response.body());
        assertEquals(response.headers().firstValue("X-Request-Id").orElseThrow(), body.path("requestId").asText());
        assertFalse(response.body().contains("Exception") || response.body().contains("\tat "), "no stack trace: " + response.body());
    }

    @Test
    void greetAnswersWithRequestIdAndVersion() throws Exception {
        HttpResponse<String> response = running.get("/hello/greet?name=Ada");
        assertEquals(200, response.statusCode());
        assertEquals("Hello, Ada!", json(response).path("greeting").asText());
        assertEquals("1.0.0", response.headers().firstValue("X-Cage-Version").orElseThrow());
        assertTrue(response.headers().firstValue("X-Request-Id").isPresent());
    }

    @Test
    void gatewayCallsHelloAndGreeterByName() throws Exception {
        JsonNode answer = json(running.get("/gateway/welcome?name=Ada&language=fr"));
        assertEquals("Hello, Ada!", answer.path("hello").path("answer").path("greeting").asText(), answer.toString());
        assertEquals("Bonjour, Ada!", answer.path("greeter").path("answer").path("greeting").asText(), answer.toString());
        assertEquals(running.host.config().name(), answer.path("hello").path("host").asText());

        HttpResponse<String> unknownLanguage = running.get("/gateway/welcome?name=Ada&language=xx");
        assertError(unknownLanguage, 400, "bad_request", "cage 'greeter' operation 'greet' on host");
    }

    @Test
    void overflowIsRefusedAtOnceWith503AndRetryAfter() throws Exception {
        CompletableFuture<HttpResponse<String>> busy = running.client.sendAsync(
                HttpRequest.newBuilder(running.uri("/hello/sleep?ms=1500")).build(), HttpResponse.BodyHandlers.ofString());
        Await.until("hello is busy", Duration.ofSeconds(10),
                () -> running.host.admin().cages().stream().anyMatch(c -> c.name().equals("hello") && c.running() == 1));

        long started = System.nanoTime();
        HttpResponse<String> refused = running.get("/hello/greet");
        long tookMs = (System.nanoTime() - started) / 1_000_000;

        assertError(refused, 503, "unavailable", "limit of 1 running and 0 queued");
        assertEquals("1", refused.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(tookMs < 1_000, "refused at once, not after the busy request: " + tookMs + " ms");
        assertEquals(200, busy.get().statusCode());
    }

    @Test
    void callerDeadlineIsEnforcedOverHttp() throws Exception {
        long started = System.nanoTime();
        HttpResponse<String> late = running.send(HttpRequest.newBuilder(running.uri("/hello/sleep?ms=5000"))
                .header("X-Cage-Timeout-Ms", "300"));
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertError(late, 504, "deadline_exceeded", "300 ms");
        assertTrue(tookMs < 3_000, "answered at the deadline: " + tookMs + " ms");

        assertError(running.send(HttpRequest.newBuilder(running.uri("/hello/greet")).header("X-Cage-Timeout-Ms", "soon")),
                400, "bad_request", "X-Cage-Timeout-Ms");
    }

    @Test
    void unknownCagesOperationsAndBadParametersGetClearErrors() throws Exception {
        assertError(running.get("/nope/greet"), 404, "not_found", "no cage named 'nope'");
        assertError(running.get("/hello/nope"), 404, "not_found", "has no operation 'nope'");
        assertError(running.get("/hello/sleep?ms=abc"), 400, "bad_request", "'ms' must be a whole number");
        assertError(running.send(HttpRequest.newBuilder(running.uri("/greeter/greet"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"name\": "))),
                400, "bad_request", "JSON");
        assertEquals(200, running.get("/hello/greet").statusCode(), "the host keeps serving");
    }

    @Test
    void oversizedBodyIsRefusedWith413AndTheHostKeepsServing() throws Exception {
        HttpResponse<String> tooBig = running.send(HttpRequest.newBuilder(running.uri("/hello/echo"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[4096])));
        assertEquals(413, tooBig.statusCode());
        assertEquals("too_large", json(tooBig).path("error").asText(), tooBig.body());
        assertEquals(200, running.get("/hello/greet").statusCode());
    }

    @Test
    void malformedHttpGets400AndTheHostKeepsServing() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", running.http.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write("\u0001\u0002 garbage\r\nthis is not http\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
            assertFalse(answer.contains("Exception"), answer);
        }
        assertEquals(200, running.get("/hello/greet").statusCode());
    }

    @Test
    void echoReturnsRawBodiesAsTheyCame() throws Exception {
        byte[] pdfish = {'%', 'P', 'D', 'F', 0, 1, 2, (byte) 0xff};
        HttpResponse<byte[]> echoed = running.client.send(HttpRequest.newBuilder(running.uri("/hello/echo"))
                .header("Content-Type", "application/pdf").POST(HttpRequest.BodyPublishers.ofByteArray(pdfish)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, echoed.statusCode());
        assertEquals("application/pdf", echoed.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(java.util.Arrays.equals(pdfish, echoed.body()));
    }

    @Test
    void formsReachTheHandlerAsParameters() throws Exception {
        HttpResponse<String> form = running.send(HttpRequest.newBuilder(running.uri("/hello/greet"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString("name=Ada+L")));
        assertEquals("Hello, Ada L!", json(form).path("greeting").asText());

        String boundary = "cagesboundary";
        String multipart = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nGrace\r\n--" + boundary + "--\r\n";
        HttpResponse<String> parts = running.send(HttpRequest.newBuilder(running.uri("/hello/greet"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary).POST(HttpRequest.BodyPublishers.ofString(multipart)));
        assertEquals("Hello, Grace!", json(parts).path("greeting").asText(), parts.body());
    }

    @Test
    void greeterBindsTypedParametersAndFollowsItsConfigLive() throws Exception {
        HttpRequest.Builder spanish = HttpRequest.newBuilder(running.uri("/greeter/greet"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"Ada\",\"language\":\"es\"}"));
        assertError(running.send(spanish), 400, "bad_request", "language 'es' is not configured");

        Files.writeString(greeterConfig, "{\"greetings\": {\"en\": \"Hello\", \"es\": \"Hola\"}, \"defaultLanguage\": \"en\"}");
        Await.until("greeter speaks Spanish", Duration.ofSeconds(10), () -> {
            try {
                return running.send(spanish).statusCode() == 200;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertEquals("Hola, Ada!", json(running.send(spanish)).path("greeting").asText());

        Files.writeString(greeterConfig, "{\"greetings\": ");
        Await.until("the broken file is reported", Duration.ofSeconds(10), () -> !running.host.admin().configProblems().isEmpty());
        assertEquals(200, running.send(spanish).statusCode(), "the previous config stays in force");
        HttpResponse<String> problems = running.send(HttpRequest.newBuilder(running.admin("/config-problems")));
        assertTrue(problems.body().contains("greeter.json") && problems.body().contains("not valid JSON"), problems.body());
    }

    @Test
    void failedUpdateThroughTheAdminApiAnswers422AndKeepsTheOldVersion() throws Exception {
        byte[] broken = io.cages.host.testing.TestCages.withHeader(RunningHost.example("hello"), "Cage-Handler", "io.cages.examples.hello.Missing");
        HttpResponse<String> failed = running.deploy(io.cages.host.testing.TestCages.withHeader(broken, "Bundle-Version", "9.0.0"));
        assertEquals(422, failed.statusCode(), failed.body());
        JsonNode record = json(failed);
        assertEquals("FAILED", record.path("outcome").asText());
        assertTrue(record.path("reason").asText().contains("cannot be loaded"), failed.body());
        assertEquals("1.0.0", running.get("/hello/greet").headers().firstValue("X-Cage-Version").orElseThrow());
    }

    @Test
    void theRepositorysHostConfigIsValid() {
        Path repo = Path.of(System.getProperty("cages.repo", "../.."));
        HostConfig demo = HostConfig.load(repo.resolve("configs/host.json"));
        assertEquals(8080, demo.http().port());
        assertEquals(10_000L, demo.limitsFor("hello").timeoutMs());
        for (String host : java.util.List.of("h1", "h2")) {
            HostConfig flockHost = HostConfig.load(repo.resolve("configs/flock/" + host + ".json"));
            io.cages.transport.flock.FlockSettings flock = io.cages.transport.flock.FlockSettings.from(flockHost.transport("flock"));
            assertEquals("demo", flock.name());
            // The flock demo starts without certificates or the opt-out only because it stays on loopback.
            assertEquals("127.0.0.1", flock.bind(), host);
            assertTrue(flockHost.tls() == null && !flock.insecure(), host + ": no tls, no opt-out");
        }
    }
}
