package io.cages.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cages.dist.healthcage.ProbedCage;
import io.cages.host.testing.Await;
import io.cages.host.testing.TestCages;
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
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The health monitor across three host JVMs in one flock on loopback, probing every second: h1 is killed with
 * kill -9, hello is undeployed on h2, and the probed cage's self-test is broken on h3 (a file its config names
 * now exists). Each status must show on the surviving hosts' {@code GET /health/flock} within two periods (plus a
 * margin for the HTTP reads), h3's own {@code GET /health} must answer 503 naming the degraded cage, and h1, started
 * again, must show {@code restarted} and then {@code up}.
 */
class FlockHealthTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long PERIOD_MS = 1_000;
    private static final long TIMEOUT_MS = 500;
    /** Two periods, plus the time to read the answers: the bound every status must meet. */
    private static final Duration TWO_PERIODS = Duration.ofMillis(2 * PERIOD_MS + 300);

    @TempDir
    Path dir;
    private final List<HostProcess> hosts = new ArrayList<>();
    private final List<ObjectNode> flockSections = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Map<String, byte[]> cages;

    @BeforeEach
    void start() throws Exception {
        String flock = "health-" + UUID.randomUUID();
        int[] ports = {HostProcess.freePort(), HostProcess.freePort(), HostProcess.freePort()};
        cages = Map.of("hello", RunningHost.example("hello"), "probed", TestCages.build("probed", "1.0.0", ProbedCage.class));
        for (int i = 0; i < 3; i++) {
            ObjectNode section = JSON.createObjectNode().put("name", flock).put("discovery", "static")
                    .put("bind", "127.0.0.1").put("port", ports[i]).put("rpcPort", 0).put("publishMs", 100);
            for (int j = 0; j < 3; j++) {
                if (j != i) {
                    section.withArray("hosts").add("127.0.0.1:" + ports[j]);
                }
            }
            flockSections.add(section);
            hosts.add(startHost(i));
        }
        for (HostProcess host : hosts) {
            Await.until(host.name + " sees all six cages up", Duration.ofSeconds(30), () -> allUp(host, 6));
        }
    }

    private HostProcess startHost(int i) throws IOException, InterruptedException {
        String name = "h" + (i + 1);
        Path hostDir = dir.resolve(name);
        Files.createDirectories(hostDir.resolve("configs"));
        Files.writeString(hostDir.resolve("configs").resolve("probed.json"),
                JSON.createObjectNode().put("brokenIf", hostDir.resolve("broken").toString()).toString());
        ObjectNode transports = JSON.createObjectNode();
        transports.set("flock", flockSections.get(i));
        ObjectNode more = JSON.createObjectNode();
        more.putObject("health").put("periodMs", PERIOD_MS).put("timeoutMs", TIMEOUT_MS);
        return HostProcess.start(name, hostDir, cages, transports, List.of(), "127.0.0.1", null, more);
    }

    @AfterEach
    void stop() throws Exception {
        for (HostProcess host : hosts) {
            host.close();
        }
    }

    @Test
    void killStopAndBrokenSelfTestShowWithinTwoPeriodsThenARestartShowsRestartedThenUp() throws Exception {
        HostProcess h1 = hosts.get(0);
        HostProcess h2 = hosts.get(1);
        HostProcess h3 = hosts.get(2);

        // 1. kill -9 h1: down for its cages on h2 and h3.
        long killed = System.nanoTime();
        h1.kill();
        long killMs = within("h1's cages down on h2 and h3", killed, () -> List.of(h2, h3).stream().allMatch(on ->
                statusIs(on, "h1", "hello", "down") && statusIs(on, "h1", "probed", "down")));

        assertTrue(probes(h2, "answered") > 0, "h2 counted its answered probes");
        assertTrue(probes(h2, "silent") + probes(h2, "gone") > 0, "h2 counted the probes h1 did not answer, or its departure");

        // 2. undeploy hello on h2: down there, on h2 and h3.
        HttpResponse<String> undeployed = post(h2, "/undeploy?cage=hello");
        assertEquals(200, undeployed.statusCode(), undeployed.body());
        long stopped = System.nanoTime();
        long undeployMs = within("hello down on h2, seen by h2 and h3", stopped, () -> List.of(h2, h3).stream().allMatch(on ->
                statusIs(on, "h2", "hello", "down")));
        assertEquals("not deployed on h2 (stopped or undeployed)", entry(h3, "h2", "hello").path("reason").asText());

        // 3. break probed's self-test on h3: degraded there, with the self-test's message, on h2 and h3.
        Files.writeString(h3.dir.resolve("broken"), "");
        long broken = System.nanoTime();
        long brokenMs = within("probed degraded on h3, seen by h2 and h3", broken, () -> List.of(h2, h3).stream().allMatch(on ->
                statusIs(on, "h3", "probed", "degraded")));
        String reason = entry(h2, "h3", "probed").path("reason").asText();
        assertTrue(reason.contains("self-test failed: broken on purpose: broken exists"), reason);
        assertEquals("up", entry(h2, "h3", "hello").path("status").asText(), "h3's other cage stays up");
        HttpResponse<String> ready = h3.admin("/health");
        assertEquals(503, ready.statusCode(), ready.body());
        JsonNode why = JSON.readTree(ready.body());
        assertEquals("unavailable", why.path("status").asText());
        assertEquals("probed", why.path("problems").path(0).path("cage").asText(), ready.body());
        assertEquals("degraded", why.path("problems").path(0).path("status").asText(), ready.body());
        assertTrue(why.path("message").asText().contains("cage 'probed' is degraded: self-test failed: broken on purpose"), ready.body());
        assertEquals(200, h3.admin("/health/live").statusCode(), "h3 is alive, only not ready");

        System.out.printf("health monitor (period %d ms, timeout %d ms): kill -9 seen in %d ms, undeploy in %d ms, broken self-test in %d ms%n",
                PERIOD_MS, TIMEOUT_MS, killMs, undeployMs, brokenMs);

        // 4. h1 starts again: restarted on h2, then up a period later.
        Files.delete(h3.dir.resolve("broken"));
        hosts.set(0, startHost(0));
        long restarted = System.nanoTime();
        Await.until("h1's hello restarted on h2", Duration.ofSeconds(15), () -> statusIs(h2, "h1", "hello", "restarted"));
        long restartedMs = (System.nanoTime() - restarted) / 1_000_000;
        assertTrue(entry(h2, "h1", "hello").path("reason").asText().startsWith("host h1 restarted (started at "),
                entry(h2, "h1", "hello").toString());
        long upMs = within("h1's hello up again on h2", System.nanoTime(), () -> statusIs(h2, "h1", "hello", "up"));
        within("probed up again on h3", System.nanoTime(), () -> statusIs(h2, "h3", "probed", "up"));
        assertEquals(200, h3.admin("/health").statusCode(), "h3 ready again");
        System.out.printf("health monitor: restarted h1 shown %d ms after it served, up %d ms later%n", restartedMs, upMs);
    }

    /** Waits at most two periods for {@code condition}; returns the milliseconds it took since {@code since}. */
    private static long within(String what, long since, java.util.function.BooleanSupplier condition) {
        Duration left = TWO_PERIODS.minusNanos(System.nanoTime() - since);
        Await.until(what + " within " + TWO_PERIODS.toMillis() + " ms", left.isNegative() ? Duration.ZERO : left, condition);
        return (System.nanoTime() - since) / 1_000_000;
    }

    /** {@code cages_health_probes_total} of {@code outcome} in {@code on}'s metrics. */
    private static double probes(HostProcess on, String outcome) throws IOException, InterruptedException {
        HttpResponse<String> metrics = on.admin("/metrics");
        assertEquals(200, metrics.statusCode(), metrics.body());
        double total = 0;
        for (String line : metrics.body().split("\n")) {
            if (line.startsWith("cages_health_probes_total{") && line.contains("outcome=\"" + outcome + "\"")) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    private static boolean allUp(HostProcess on, int expected) {
        JsonNode entries = flock(on).path("entries");
        if (entries.size() != expected) {
            return false;
        }
        for (JsonNode e : entries) {
            if (!e.path("status").asText().equals("up")) {
                return false;
            }
        }
        return true;
    }

    private static boolean statusIs(HostProcess on, String host, String cage, String status) {
        return status.equals(entry(on, host, cage).path("status").asText());
    }

    /** The entry of {@code host}/{@code cage} in {@code on}'s matrix; a missing node when it has none. */
    private static JsonNode entry(HostProcess on, String host, String cage) {
        for (JsonNode e : flock(on).path("entries")) {
            if (e.path("host").asText().equals(host) && e.path("cage").asText().equals(cage)) {
                return e;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    /** {@code GET /health/flock} of {@code on}; one that cannot be read fails the test. */
    private static JsonNode flock(HostProcess on) {
        try {
            HttpResponse<String> response = on.admin("/health/flock");
            if (response.statusCode() != 200) {
                throw new AssertionError(on.name + ": GET /health/flock answered " + response.statusCode() + ": " + response.body());
            }
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("cannot read the health of " + on.name + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private HttpResponse<String> post(HostProcess on, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://" + on.address + ":" + on.adminPort + path))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }
}
