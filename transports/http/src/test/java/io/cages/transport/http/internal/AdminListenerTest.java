package io.cages.transport.http.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cages.host.admin.CageInfo;
import io.cages.host.admin.ConfigProblem;
import io.cages.host.admin.DeployRecord;
import io.cages.host.admin.HealthEntry;
import io.cages.host.admin.HealthView;
import io.cages.host.HostConfig;
import io.cages.transport.http.HttpTestClient;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admin listener over real sockets, with a fake Admin behind it. */
class AdminListenerTest {

    private final FakeAdmin admin = new FakeAdmin();
    private HttpServer server;
    private HttpTestClient http;

    @BeforeEach
    void start() throws Exception {
        server = new HttpServer(HostConfig.Http.ephemeral(), new FakeDispatcher(), admin);
        server.start();
        http = HttpTestClient.local(server.adminPort());
    }

    @AfterEach
    void stop() {
        http.close();
        server.close();
    }

    @Test
    void healthIsOk() {
        HttpTestClient.Response response = http.get("/health");
        assertEquals(200, response.status());
        assertEquals("application/json", response.header("content-type").orElseThrow());
        assertEquals("ok", response.json().get("status").asText());
    }

    @Test
    void healthIsReadinessFromTheMonitorLiveIsLivenessAndFlockIsTheMatrix() {
        HealthEntry helloUp = new HealthEntry("h1", "hello", "1.0.0", "up", null, 1_000, 2_000);
        HealthEntry elsewhereDown = new HealthEntry("h2", "hello", "1.0.0", "down", "host h2 left the flock (not in the membership view)", 1_500, 2_000);
        HealthEntry billingDegraded = new HealthEntry("h1", "billing", "2.0.0", "degraded", "self-test failed: no database (IllegalStateException)", 1_800, 2_000);
        admin.health = new HealthView("h1", "serving", 1000, 500, List.of(helloUp, elsewhereDown));
        HttpTestClient.Response ready = http.get("/health");
        assertEquals(200, ready.status(), ready::toString);
        assertEquals("ok", ready.json().get("status").asText());
        assertEquals("up", ready.json().get("cages").get("hello").asText());
        assertFalse(ready.json().get("cages").has("h2"), "only this host's cages");

        admin.health = new HealthView("h1", "serving", 1000, 500, List.of(billingDegraded, helloUp, elsewhereDown));
        HttpTestClient.Response degraded = http.get("/health");
        assertEquals(503, degraded.status(), degraded::toString);
        assertEquals("application/json", degraded.header("content-type").orElseThrow());
        assertEquals("unavailable", degraded.json().get("status").asText());
        assertEquals("host h1 is not ready: cage 'billing' is degraded: self-test failed: no database (IllegalStateException)",
                degraded.json().get("message").asText());
        assertEquals("billing", degraded.json().get("problems").get(0).get("cage").asText());
        assertEquals(1, degraded.json().get("problems").size());

        admin.health = new HealthView("h1", "starting", 1000, 500, List.of());
        HttpTestClient.Response starting = http.get("/health");
        assertEquals(503, starting.status());
        assertEquals("host h1 is starting: its cages have not been probed yet", starting.json().get("message").asText());
        admin.health = new HealthView("h1", "draining", 1000, 500, List.of(helloUp));
        assertEquals("host h1 is shutting down (draining)", http.get("/health").json().get("message").asText());
        assertEquals(200, http.get("/health/live").status(), "live while the listener answers, whatever the cages");

        admin.health = new HealthView("h1", "serving", 1000, 500, List.of(billingDegraded, helloUp, elsewhereDown));
        JsonNode flock = http.get("/health/flock").json();
        assertEquals("h1", flock.get("host").asText());
        assertEquals(1000, flock.get("periodMs").asLong());
        assertEquals(3, flock.get("entries").size());
        JsonNode e = flock.get("entries").get(2);
        assertEquals("h2", e.get("host").asText());
        assertEquals("down", e.get("status").asText());
        assertEquals("host h2 left the flock (not in the membership view)", e.get("reason").asText());
        assertEquals(1_500, e.get("since").asLong());
        assertEquals(2_000, e.get("lastProbe").asLong());
        assertEquals(List.of("cage", "host", "lastProbe", "reason", "since", "status", "version"),
                fieldNames(e), "no more than the entry's fields");

        admin.health = null;
        assertEquals(404, http.get("/health/flock").status());
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        java.util.Collections.sort(names);
        return names;
    }

    @Test
    void cagesHistoryAndConfigProblemsAreJsonArrays() {
        admin.cages = List.of(new CageInfo("hello", "1.0.0", 2, 1, List.of(new CageInfo.VersionInfo("1.0.0", 5, "ACTIVE", 2)), "folder:hello.jar", List.of("greet")));
        admin.history = List.of(FakeAdmin.record("DEPLOY", "hello", "folder:hello.jar", DeployRecord.Outcome.ACTIVE, null));
        admin.problems = List.of(new ConfigProblem("configs/cages/x.json", "bad json", FakeAdmin.AT));

        JsonNode cages = http.get("/cages").json();
        assertEquals(1, cages.size());
        assertEquals("hello", cages.get(0).get("name").asText());
        assertEquals("1.0.0", cages.get(0).get("activeVersion").asText());
        assertEquals(5, cages.get(0).get("versions").get(0).get("bundleId").asLong());
        assertTrue(admin.lastThread.isVirtual(), "admin calls run on virtual threads, not on the event loop");

        JsonNode history = http.get("/history").json();
        assertEquals("ACTIVE", history.get(0).get("outcome").asText());
        assertEquals("2026-11-25T10:15:30Z", history.get(0).get("at").asText(), "instants are ISO-8601 text");

        JsonNode problems = http.get("/config-problems").json();
        assertEquals("bad json", problems.get(0).get("reason").asText());
        assertEquals("2026-11-25T10:15:30Z", problems.get(0).get("at").asText());
    }

    @Test
    void jobsAreListedAndRunByHand() {
        admin.jobs = List.of(new io.cages.host.admin.JobInfo("billing", "nightly", "cron 30 2 * * * Europe/Paris skip",
                FakeAdmin.AT, null, null, null, 0, 0, 0, 0));
        admin.runJob = (cage, job) -> "nightly".equals(job)
                ? new io.cages.host.admin.JobRun("billing", job, "nightly@x+manual", "billing".equals(cage), "billing".equals(cage) ? "ok" : "bad_request: no")
                : null;
        JsonNode jobs = http.get("/jobs").json();
        assertEquals("nightly", jobs.get(0).get("name").asText());
        assertEquals("2026-11-25T10:15:30Z", jobs.get(0).get("nextFire").asText());

        HttpTestClient.Response ok = http.post("/run-job?job=nightly&cage=billing", new byte[0], "application/octet-stream");
        assertEquals(200, ok.status(), ok::toString);
        assertEquals("nightly@x+manual", ok.json().get("requestId").asText());
        assertTrue(admin.lastThread.isVirtual());
        assertEquals(422, http.post("/run-job?job=nightly", new byte[0], "application/octet-stream").status());
        HttpTestClient.Response missing = http.post("/run-job?job=nope", new byte[0], "application/octet-stream");
        assertEquals(404, missing.status());
        assertEquals("no job named 'nope' (or several cages have one: add cage=<cage>)", missing.json().get("message").asText());
        assertEquals(400, http.post("/run-job", new byte[0], "application/octet-stream").status());
        assertEquals(405, http.get("/run-job?job=nightly").status());
    }

    @Test
    void durableCallsAreListedRetriedAndCancelled() {
        // FakeAdmin keeps Admin's defaults: no calls stored, nothing to retry or cancel.
        HttpTestClient.Response listed = http.get("/durable-calls?cage=billing&status=failed");
        assertEquals(200, listed.status(), listed::toString);
        assertEquals(0, listed.json().size());
        HttpTestClient.Response retry = http.post("/durable-calls/retry?id=c1", null, null);
        assertEquals(404, retry.status(), retry::toString);
        assertEquals("no durable call 'c1' to retry (unknown, or done)", retry.json().get("message").asText());
        HttpTestClient.Response cancel = http.post("/durable-calls/cancel?id=c1", null, null);
        assertEquals(404, cancel.status(), cancel::toString);
        assertEquals("no pending durable call 'c1' to cancel", cancel.json().get("message").asText());
        HttpTestClient.Response noId = http.post("/durable-calls/cancel", null, null);
        assertEquals(400, noId.status(), noId::toString);
        assertEquals(400, http.get("/durable-calls?limit=many").status());
        assertEquals(405, http.get("/durable-calls/retry?id=c1").status());
    }

    @Test
    void rollbackNeedsACageAndSaysWhenThereIsNothingToGoBackTo() {
        // FakeAdmin keeps Admin's default: no previous version kept.
        HttpTestClient.Response none = http.post("/rollback?cage=hello", null, null);
        assertEquals(409, none.status(), none::toString);
        assertEquals("cage 'hello' has no previous version to roll back to on this host (the host keeps the one version"
                + " before the last deploy, until a restart or a rollback)", none.json().get("message").asText());
        assertEquals(400, http.post("/rollback", null, null).status());
        assertEquals(405, http.get("/rollback?cage=hello").status());
        HttpTestClient.Response rollouts = http.get("/rollouts");
        assertEquals(200, rollouts.status());
        assertEquals(0, rollouts.json().size());
    }

    @Test
    void aGuardedDeployWithAMalformedWatchIsABadRequest() {
        HttpTestClient.Response bad = http.post("/deploy?watch=soon", new byte[] {'P', 'K'}, "application/java-archive");
        assertEquals(400, bad.status(), bad::toString);
        assertEquals("watch must be a duration such as 30s, 500ms or 2m, not 'soon'", bad.json().get("message").asText());
        HttpTestClient.Response ratio = http.post("/deploy?watch=3s&maxP99Ratio=0.5", new byte[] {'P', 'K'}, "application/java-archive");
        assertEquals(400, ratio.status(), ratio::toString);
        assertEquals(null, admin.lastJar, "nothing was deployed");
    }

    @Test
    void deployTakesTheJarAsBodyAndAnswersWithTheRecord() {
        byte[] jar = {'P', 'K', 3, 4, 0, 1};
        HttpTestClient.Response ok = http.post("/deploy", jar, "application/java-archive");
        assertEquals(200, ok.status(), ok::toString);
        assertEquals("ACTIVE", ok.json().get("outcome").asText());
        assertArrayEquals(jar, admin.lastJar);
        assertTrue(admin.lastOrigin.startsWith("admin-api:127.0.0.1"), admin.lastOrigin);
        assertTrue(admin.lastThread.isVirtual());

        http.post("/deploy?origin=cagectl%20on%20ci", jar, "application/octet-stream");
        assertEquals("cagectl on ci", admin.lastOrigin);

        admin.deploy = (bytes, origin) -> FakeAdmin.record("DEPLOY", null, origin, DeployRecord.Outcome.FAILED, "not a cage bundle");
        HttpTestClient.Response failed = http.post("/deploy", jar, null);
        assertEquals(422, failed.status());
        assertEquals("not a cage bundle", failed.json().get("reason").asText());
    }

    @Test
    void deployWithoutABodyIs400() {
        HttpTestClient.Response response = http.post("/deploy", new byte[0], null);
        assertEquals(400, response.status());
        assertTrue(response.json().get("message").asText().contains("jar"));
    }

    @Test
    void undeployAnswers200Or404Or422() {
        HttpTestClient.Response ok = http.post("/undeploy?cage=hello", null, null);
        assertEquals(200, ok.status(), ok::toString);
        assertEquals("hello", admin.lastCage);
        assertEquals("UNDEPLOYED", ok.json().get("outcome").asText());

        HttpTestClient.Response viaDelete = http.delete("/cages/greeter");
        assertEquals(200, viaDelete.status());
        assertEquals("greeter", admin.lastCage);

        admin.undeploy = (cage, origin) -> FakeAdmin.record("UNDEPLOY", cage, origin, DeployRecord.Outcome.FAILED, "no cage named '" + cage + "' is deployed");
        assertEquals(404, http.delete("/cages/nope").status());

        admin.undeploy = (cage, origin) -> FakeAdmin.record("UNDEPLOY", cage, origin, DeployRecord.Outcome.FAILED, "drain timed out");
        assertEquals(422, http.post("/undeploy?cage=stuck", null, null).status());

        HttpTestClient.Response missing = http.post("/undeploy", null, null);
        assertEquals(400, missing.status());
        assertTrue(missing.json().get("message").asText().contains("cage=<name>"));
    }

    @Test
    void unknownPathsAre404AndWrongMethods405() {
        HttpTestClient.Response unknown = http.get("/nope");
        assertEquals(404, unknown.status());
        assertEquals("not_found", unknown.json().get("error").asText());
        assertTrue(unknown.json().get("message").asText().contains("GET /cages"));

        HttpTestClient.Response wrongMethod = http.post("/cages", new byte[0], null);
        assertEquals(405, wrongMethod.status());
        assertEquals("GET", wrongMethod.header("allow").orElseThrow());
        assertEquals(405, http.get("/deploy").status());
    }

    @Test
    void aFailingAdminCallIs500WithoutDetails() {
        admin.deploy = (jar, origin) -> {
            throw new IllegalStateException("disk on fire at /secret/path");
        };
        HttpTestClient.Response response = http.post("/deploy", new byte[] {1}, null);
        assertEquals(500, response.status());
        assertEquals("internal", response.json().get("error").asText());
        assertFalse(response.text().contains("secret"));
        assertEquals(response.header("x-request-id").orElseThrow(), response.json().get("requestId").asText());
    }

    @Test
    void adminCanBeDisabled() throws Exception {
        HostConfig.Http noAdmin = new HostConfig.Http("127.0.0.1", 0, "127.0.0.1", -1, null, null, null, null, 1);
        HttpServer other = new HttpServer(noAdmin, new FakeDispatcher(), admin);
        other.start();
        try {
            assertEquals(-1, other.adminPort());
            assertTrue(other.port() > 0);
        } finally {
            other.close();
        }
    }
}
