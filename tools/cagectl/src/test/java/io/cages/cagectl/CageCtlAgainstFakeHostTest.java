package io.cages.cagectl;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs {@link CageCtl#execute} against a JDK HttpServer that answers like the admin API. */
class CageCtlAgainstFakeHostTest {

    private static final String CAGES = """
            [{"name":"hello","activeVersion":"1.0.1","running":1,"queued":0,
              "versions":[{"version":"1.0.1","bundleId":12,"state":"ACTIVE","inFlight":1}],
              "source":"deploy/hello-1.0.1.jar"}]""";
    private static final String HISTORY = """
            [{"seq":1,"at":"2025-03-01T10:00:00Z","action":"DEPLOY","cage":"hello","version":"1.0.0","previous":null,
              "origin":"folder:hello-1.0.0.jar","outcome":"ACTIVE","reason":null,"durationMs":30},
             {"seq":2,"at":"2025-03-01T10:05:00Z","action":"UPDATE","cage":"hello","version":"1.0.1","previous":"1.0.0",
              "origin":"cagectl:ops","outcome":"ACTIVE","reason":null,"durationMs":42}]""";
    private static final String DEPLOYED = """
            {"seq":3,"at":"2025-03-01T10:10:00Z","action":"UPDATE","cage":"hello","version":"1.0.1",
             "previous":"1.0.0","origin":"cagectl:ops","outcome":"ACTIVE","reason":null,"durationMs":42}""";
    private static final String DEPLOY_FAILED = """
            {"seq":4,"at":"2025-03-01T10:11:00Z","action":"UPDATE","cage":"hello","version":"1.0.2",
             "previous":"1.0.1","origin":"cagectl:ops","outcome":"FAILED",
             "reason":"self-test failed: GET /hello answered 500","durationMs":17}""";
    private static final String UNDEPLOYED = """
            {"seq":5,"at":"2025-03-01T10:12:00Z","action":"UNDEPLOY","cage":"hello","version":"1.0.1",
             "previous":"1.0.1","origin":"cagectl:ops","outcome":"UNDEPLOYED","reason":null,"durationMs":8}""";
    private static final String ROLLED_BACK = """
            {"seq":6,"at":"2025-03-01T10:13:00Z","action":"ROLLBACK","cage":"hello","version":"1.0.0",
             "previous":"1.0.1","origin":"cagectl:ops","outcome":"ACTIVE","reason":"rolled back by cagectl:ops","durationMs":9}""";
    private static final String ROLLOUT_ROLLED_BACK = """
            {"id":2,"startedAt":"2025-03-01T10:14:00Z","cage":"hello","version":"1.0.2","previous":"1.0.1","state":"ROLLED_BACK",
             "reason":"rolled back: error rate 34.0% (34 of 100) over 3 s vs 0.1% before (threshold +5 points)"}""";
    private static final String ROLLOUT_PASSED = """
            {"id":3,"startedAt":"2025-03-01T10:15:00Z","cage":"hello","version":"1.0.2","previous":"1.0.1","state":"PASSED",
             "reason":"passed: error rate 0.0% over 3 s vs 0.1% before, p99 2 ms vs 2 ms before (100 requests)"}""";
    private static final String NO_SUCH_CAGE = """
            {"error":"not_found","message":"no cage named 'nope'","requestId":"req-9"}""";

    private static final String DURABLE = """
            [{"id":"c1@inventory","caller":"inventory","cage":"billing","operation":"settle","key":"charge-o-1","status":"pending",
              "inFlight":true,"attempts":2,"created":"2025-03-01T10:00:00Z","nextAttempt":"2025-03-01T10:00:01Z",
              "expires":"2025-03-02T10:00:00Z","finished":null,"errorCode":"UNAVAILABLE","error":"busy"},
             {"id":"c2","caller":"gateway","cage":"billing","operation":"settle","key":"k2","status":"expired","inFlight":false,
              "attempts":9,"created":"2025-03-01T09:00:00Z","nextAttempt":"2025-03-01T09:30:00Z","expires":"2025-03-01T10:00:00Z",
              "finished":"2025-03-01T10:00:00Z","errorCode":"DEADLINE_EXCEEDED","error":"expired after 9 attempts"}]""";

    private static final String ALL_UP = """
            {"host":"h1","state":"serving","periodMs":2000,"timeoutMs":1000,"entries":[
              {"host":"h1","cage":"hello","version":"1.0.0","status":"up","reason":null,"since":1740823200000,"lastProbe":1740823260000},
              {"host":"h2","cage":"hello","version":"1.0.0","status":"restarted","reason":"host h2 restarted (started at 2025-03-01T10:00:50Z)",
               "since":1740823258000,"lastProbe":1740823260000}]}""";
    private static final String ONE_DEGRADED = """
            {"host":"h1","state":"serving","periodMs":2000,"timeoutMs":1000,"entries":[
              {"host":"h1","cage":"hello","version":"1.0.0","status":"up","reason":null,"since":1740823200000,"lastProbe":1740823260000},
              {"host":"h2","cage":"billing","version":"2.0.0","status":"degraded","reason":"self-test failed: no database (IllegalStateException)",
               "since":1740823230000,"lastProbe":1740823260000},
              {"host":"h3","cage":"hello","version":"1.0.0","status":"down","reason":"host h3 left the flock (not in the membership view)",
               "since":1740823240000,"lastProbe":1740823260000}]}""";

    private volatile String healthFlock = ALL_UP;

    /** What the fake host saw. */
    record Seen(String method, String path, Map<String, String> query, byte[] body) {
    }

    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    /** What the fake host answers to {@code GET /flock}; {@code ADMIN} stands for its own admin URL. */
    private volatile String flock = "[]";
    private HttpServer server;
    private String adminUrl;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path tmp;

    @BeforeEach
    void startFakeHost() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
        adminUrl = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stopFakeHost() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        seen.add(new Seen(method, path, query, body));
        switch (method + " " + path) {
            case "GET /cages" -> reply(exchange, 200, CAGES);
            case "GET /history" -> reply(exchange, 200, HISTORY);
            case "GET /config-problems" -> reply(exchange, 200, "[]");
            case "GET /jobs" -> reply(exchange, 200, JOBS);
            case "GET /health/flock" -> reply(exchange, 200, healthFlock);
            case "GET /flock" -> reply(exchange, 200, flock.replace("ADMIN", adminUrl));
            case "GET /durable-calls" -> reply(exchange, 200, DURABLE);
            case "POST /durable-calls/retry" -> reply(exchange, 200, "{\"id\":\"" + query.get("id") + "\",\"retried\":true}");
            case "POST /durable-calls/cancel" -> reply(exchange, 404,
                    "{\"error\":\"not_found\",\"message\":\"no pending durable call '" + query.get("id") + "' to cancel\",\"requestId\":\"r\"}");
            case "POST /run-job" -> {
                if (!"nightly".equals(query.get("job"))) {
                    reply(exchange, 404, "{\"error\":\"not_found\",\"message\":\"no job named '" + query.get("job") + "'\",\"requestId\":\"r\"}");
                } else if ("billing".equals(query.get("cage"))) {
                    reply(exchange, 200, "{\"cage\":\"billing\",\"job\":\"nightly\",\"requestId\":\"nightly@2025-03-01T10:05:00Z+manual\",\"succeeded\":true,\"outcome\":\"ok\"}");
                } else {
                    reply(exchange, 422, "{\"cage\":\"billing\",\"job\":\"nightly\",\"requestId\":\"nightly@2025-03-01T10:05:00Z+manual\",\"succeeded\":false,\"outcome\":\"bad_request: no report today\"}");
                }
            }
            case "POST /rollback" -> {
                if ("hello".equals(query.get("cage"))) {
                    reply(exchange, 200, ROLLED_BACK);
                } else {
                    reply(exchange, 409, "{\"error\":\"conflict\",\"message\":\"cage '" + query.get("cage")
                            + "' has no previous version to roll back to on this host\",\"requestId\":\"r\"}");
                }
            }
            case "GET /rollouts" -> reply(exchange, 200, "[" + ROLLOUT_ROLLED_BACK + "]");
            case "POST /deploy" -> {
                if (query.containsKey("watch")) {
                    reply(exchange, new String(body, StandardCharsets.UTF_8).contains("bad") ? 422 : 200,
                            new String(body, StandardCharsets.UTF_8).contains("bad") ? ROLLOUT_ROLLED_BACK : ROLLOUT_PASSED);
                } else if (new String(body, StandardCharsets.UTF_8).contains("bad")) {
                    reply(exchange, 422, DEPLOY_FAILED);
                } else {
                    reply(exchange, 200, DEPLOYED);
                }
            }
            case "POST /undeploy" -> {
                if ("hello".equals(query.get("cage"))) {
                    reply(exchange, 200, UNDEPLOYED);
                } else {
                    reply(exchange, 404, NO_SUCH_CAGE);
                }
            }
            default -> reply(exchange, 500, "{\"error\":\"internal\",\"message\":\"boom\",\"requestId\":\"req-1\"}");
        }
    }

    private static void reply(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> params = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return params;
    }

    private int run(Map<String, String> env, String... args) {
        return new CageCtl(env, new PrintWriter(out), new PrintWriter(err), ZoneOffset.UTC).execute(args);
    }

    private int run(String... args) {
        return run(Map.of(CageCtl.ADMIN_ENV, adminUrl), args);
    }

    private Path jar(String name, String content) throws IOException {
        return Files.writeString(tmp.resolve(name), content);
    }

    @Test
    void deploySuccessPrintsTheRecordAndExitsZero() throws IOException {
        Path jar = jar("hello-1.0.1.jar", "good jar bytes");
        assertEquals(ExitCodes.OK, run("deploy", jar.toString()), err::toString);
        assertEquals("deployed hello 1.0.1 (was 1.0.0) in 42 ms\n", out.toString());
        assertEquals("", err.toString());

        Seen request = seen.getFirst();
        assertEquals("POST", request.method());
        assertEquals("good jar bytes", new String(request.body(), StandardCharsets.UTF_8));
        assertTrue(request.query().get("origin").startsWith("cagectl:"), request.query()::toString);
    }

    @Test
    void failedDeployPrintsTheReasonAndExitsOne() throws IOException {
        Path jar = jar("hello-1.0.2.jar", "bad jar bytes");
        assertEquals(ExitCodes.FAILED, run("deploy", jar.toString()));
        assertEquals("FAILED: deploy of hello 1.0.2: self-test failed: GET /hello answered 500; 1.0.1 stays active\n",
                err.toString());
        assertEquals("", out.toString());
    }

    @Test
    void missingJarIsAUsageErrorAndNeverReachesTheHost() {
        Path missing = tmp.resolve("nope.jar");
        assertEquals(ExitCodes.USAGE, run("deploy", missing.toString()));
        assertEquals("cannot deploy " + missing + ": no such file\n", err.toString());
        assertEquals(ExitCodes.USAGE, run("deploy", tmp.toString()));
        assertTrue(err.toString().contains("is a directory"), err::toString);
        assertTrue(seen.isEmpty());
    }

    @Test
    void rollbackPrintsTheRecordAndNothingToRollBackToFailsClearly() {
        assertEquals(ExitCodes.OK, run("rollback", "hello"), err::toString);
        assertEquals("rolled back hello to 1.0.0 (was 1.0.1) in 9 ms\n", out.toString());
        assertEquals("POST /rollback", seen.getFirst().method() + " " + seen.getFirst().path());
        assertEquals(ExitCodes.FAILED, run("rollback", "greeter"));
        assertEquals("FAILED: rollback of greeter: error: cage 'greeter' has no previous version to roll back to on this host"
                + " (HTTP 409 conflict, request r)\n", err.toString());
    }

    @Test
    void aGuardedDeploySendsTheWatchAndSaysWhyItRolledBack() throws IOException {
        Path bad = jar("hello-1.0.2.jar", "bad jar bytes");
        assertEquals(ExitCodes.FAILED, run("deploy", "--watch", "3s", "--max-error-rate", "2", "--min-requests", "50", bad.toString()));
        assertEquals("ROLLED BACK hello 1.0.2 (was 1.0.1): rolled back: error rate 34.0% (34 of 100) over 3 s vs 0.1% before"
                + " (threshold +5 points)\n", err.toString());
        Map<String, String> q = seen.getFirst().query();
        assertEquals("3s", q.get("watch"));
        assertEquals("2", q.get("maxErrorRate"));
        assertEquals("50", q.get("minRequests"));
        assertFalse(q.containsKey("maxP99Ratio"), "defaults are the host's");

        Path good = jar("hello-1.0.3.jar", "good jar bytes");
        assertEquals(ExitCodes.OK, run("deploy", "--watch", "3s", good.toString()), err::toString);
        assertTrue(out.toString().startsWith("PASSED hello 1.0.2 (was 1.0.1): passed: error rate 0.0%"), out::toString);
    }

    @Test
    void rolloutsListsGuardedDeploysWithTheirReasons() {
        assertEquals(ExitCodes.OK, run("rollouts"), err::toString);
        assertEquals("#2 ROLLED BACK hello 1.0.2 (was 1.0.1): rolled back: error rate 34.0% (34 of 100) over 3 s vs 0.1% before"
                + " (threshold +5 points)\n", out.toString());
    }

    @Test
    void undeploy() {
        assertEquals(ExitCodes.OK, run("undeploy", "hello"), err::toString);
        assertEquals("undeployed hello 1.0.1 in 8 ms\n", out.toString());
        assertEquals("hello", seen.getFirst().query().get("cage"));
        assertTrue(seen.getFirst().query().get("origin").startsWith("cagectl:"));
    }

    @Test
    void undeployOfAnUnknownCageExitsOne() {
        assertEquals(ExitCodes.FAILED, run("undeploy", "nope"));
        assertEquals("FAILED: undeploy of nope: no cage named 'nope'\n", err.toString());
        assertEquals("", out.toString());
    }

    @Test
    void listAndHistoryTablesAndJson() {
        assertEquals(ExitCodes.OK, run("list"), err::toString);
        assertEquals("""
                CAGE   ACTIVE  RUNNING  QUEUED  VERSIONS                   SOURCE
                hello  1.0.1         1       0  1.0.1 ACTIVE, 1 in flight  deploy/hello-1.0.1.jar
                """, out.toString());

        out.getBuffer().setLength(0);
        assertEquals(ExitCodes.OK, run("history", "--last", "1"), err::toString);
        String history = out.toString();
        assertTrue(history.startsWith("SEQ  TIME"), history);
        assertTrue(history.contains("2025-03-01 10:05:00  UPDATE  hello  1.0.1"), history);
        assertFalse(history.contains("folder:hello-1.0.0.jar"), history);

        out.getBuffer().setLength(0);
        assertEquals(ExitCodes.OK, run("history", "--json"), err::toString);
        assertEquals(Json.tryParse(HISTORY), Json.tryParse(out.toString()));

        out.getBuffer().setLength(0);
        assertEquals(ExitCodes.OK, run("list", "--json"));
        assertEquals(Json.tryParse(CAGES), Json.tryParse(out.toString()));

        out.getBuffer().setLength(0);
        assertEquals(ExitCodes.OK, run("problems"));
        assertEquals("no config problems\n", out.toString());
    }

    private static final String JOBS = """
            [{"cage":"billing","name":"nightly","schedule":"cron 30 2 * * * Europe/Paris fire-once",
              "nextFire":"2025-03-02T01:30:00Z","lastScheduled":"2025-03-01T01:30:00Z","lastStarted":"2025-03-01T01:30:00.012Z",
              "lastOutcome":"ok","fired":1,"skipped":0,"running":0}]""";

    @Test
    void durableCallsTableRetryAndCancel() {
        assertEquals(ExitCodes.OK, run("durable", "--cage", "billing", "--status", "pending"), err::toString);
        assertEquals(Map.of("limit", "100", "cage", "billing", "status", "pending"), seen.get(seen.size() - 1).query());
        String table = out.toString();
        assertTrue(table.startsWith("ID "), table);
        assertTrue(table.contains("c1@inventory") && table.contains("billing/settle") && table.contains("in flight"), table);
        assertTrue(table.contains("expired") && table.contains("expired after 9 attempts"), table);

        out.getBuffer().setLength(0);
        assertEquals(ExitCodes.OK, run("durable-retry", "c2"), err::toString);
        assertEquals("OK: retry durable call c2\n", out.toString());
        assertEquals(ExitCodes.FAILED, run("durable-cancel", "c2"));
        assertTrue(err.toString().startsWith("FAILED: cancel durable call c2: ") && err.toString().contains("no pending durable call 'c2'"),
                err::toString);
    }

    @Test
    void jobsTableAndRunJobByHand() {
        assertEquals(ExitCodes.OK, run("jobs"), err::toString);
        assertEquals("""
                JOB              SCHEDULE                                NEXT                 LAST RUN             OUTCOME  FIRED  SKIPPED  RUNNING
                billing/nightly  cron 30 2 * * * Europe/Paris fire-once  2025-03-02 01:30:00  2025-03-01 01:30:00  ok           1        0        0
                """, out.toString());

        out.getBuffer().setLength(0);
        assertEquals(ExitCodes.OK, run("run-job", "billing/nightly"), err::toString);
        assertEquals("OK: billing/nightly ran as nightly@2025-03-01T10:05:00Z+manual: ok\n", out.toString());
        assertEquals(Map.of("job", "nightly", "cage", "billing"), seen.get(seen.size() - 1).query());

        assertEquals(ExitCodes.FAILED, run("run-job", "nightly"));
        assertEquals("FAILED: billing/nightly ran as nightly@2025-03-01T10:05:00Z+manual: bad_request: no report today\n", err.toString());
        err.getBuffer().setLength(0);
        assertEquals(ExitCodes.FAILED, run("run-job", "nope"));
        assertTrue(err.toString().startsWith("FAILED: run-job nope: ") && err.toString().contains("no job named 'nope'"), err::toString);
    }

    @Test
    void healthPrintsTheMatrixAndExitsOneWhenAnythingIsNotUp() {
        assertEquals(ExitCodes.OK, run("health"), err::toString);
        assertEquals("""
                HOST  CAGE   VERSION  STATUS     SINCE                LAST PROBE           REASON
                h1    hello  1.0.0    up         2025-03-01 10:00:00  2025-03-01 10:01:00  -
                h2    hello  1.0.0    restarted  2025-03-01 10:00:58  2025-03-01 10:01:00  host h2 restarted (started at 2025-03-01T10:00:50Z)
                1 restarted, 1 up
                host h1 is serving; probes every 2000 ms, timeout 1000 ms
                """, out.toString());
        assertEquals("/health/flock", seen.get(seen.size() - 1).path());

        out.getBuffer().setLength(0);
        healthFlock = ONE_DEGRADED;
        assertEquals(ExitCodes.FAILED, run("health"));
        assertTrue(out.toString().contains("h2    billing  2.0.0    degraded  2025-03-01 10:00:30  2025-03-01 10:01:00  self-test failed: no database (IllegalStateException)"),
                out::toString);
        assertTrue(out.toString().contains("1 degraded, 1 down, 1 up\n"), out::toString);

        out.getBuffer().setLength(0);
        assertEquals(ExitCodes.FAILED, run("health", "--json"));
        assertEquals("degraded", Json.tryParse(out.toString()).path("entries").path(1).path("status").asText(), out::toString);

        out.getBuffer().setLength(0);
        healthFlock = ALL_UP.replace("\"serving\"", "\"draining\"");
        assertEquals(ExitCodes.FAILED, run("health"), "a draining host is not healthy");
        assertTrue(out.toString().endsWith("host h1 is draining; probes every 2000 ms, timeout 1000 ms\n"), out::toString);
    }

    @Test
    void adminOptionWorksBeforeOrAfterTheSubcommandAndBeatsTheEnvironment() {
        Map<String, String> wrongEnv = Map.of(CageCtl.ADMIN_ENV, "http://127.0.0.1:1");
        assertEquals(ExitCodes.OK, run(wrongEnv, "--admin", adminUrl, "list"), err::toString);
        assertEquals(ExitCodes.OK, run(wrongEnv, "list", "--admin", adminUrl + "/"), err::toString);
        assertEquals(2, seen.size());
    }

    @Test
    void errorAnswersExitOne() {
        assertEquals(ExitCodes.FAILED, run("--admin", adminUrl + "/not-admin", "list"));
        assertEquals("error: boom (HTTP 500 internal, request req-1)\n", err.toString());
    }

    @Test
    void unreachableHostExitsThreeWithoutAStackTrace() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + closedPort;
        assertEquals(ExitCodes.UNREACHABLE, run(Map.of(), "--admin", url, "list"));
        assertEquals("cannot reach the admin API at " + url + ": connection refused\n", err.toString());
        assertEquals("", out.toString());

        err.getBuffer().setLength(0);
        Path jar = jar("hello.jar", "good");
        assertEquals(ExitCodes.UNREACHABLE, run(Map.of(CageCtl.ADMIN_ENV, url), "deploy", jar.toString()));
        assertTrue(err.toString().startsWith("cannot reach the admin API at " + url + ": "), err::toString);
        assertFalse(err.toString().contains("\tat "), err::toString);
    }

    @Test
    void unknownHostExitsThree() {
        String url = "http://no-such-host.invalid:8081";
        assertEquals(ExitCodes.UNREACHABLE, run(Map.of(CageCtl.ADMIN_ENV, url), "problems"));
        // "unknown host" wherever DNS behaves; some resolvers answer for anything, so only the shape is fixed
        assertTrue(err.toString().startsWith("cannot reach the admin API at " + url + ": "), err::toString);
    }

    @Test
    void usageErrorsExitTwo() {
        assertEquals(ExitCodes.USAGE, run());
        assertTrue(err.toString().contains("Usage: cagectl"), err::toString);

        assertUsageError("cagectl: unknown command 'frobnicate'; the commands are list, history, deploy, undeploy, rollback, rollouts, "
                + "problems, resources, jobs, run-job, durable, durable-retry, durable-cancel, health, ca, help\nRun 'cagectl --help' for usage.\n", "frobnicate");
        assertUsageError("cagectl: 'cagectl deploy' needs JAR: The cage bundle jar to deploy.\n"
                + "Run 'cagectl deploy --help' for usage.\n", "deploy");
        assertUsageError("cagectl: '--last' must be at least 1, got 0\nRun 'cagectl history --help' for usage.\n",
                "history", "--last", "0");
        assertUsageError("cagectl: '--last' needs a whole number, got 'many'\n"
                + "Run 'cagectl history --help' for usage.\n", "history", "--last", "many");
        assertUsageError("cagectl: unknown option '--x' for 'cagectl list'\nRun 'cagectl list --help' for usage.\n",
                "list", "--x");
        assertUsageError("cagectl: '--timeout' must be at least 1 second, got 0\n"
                + "Run 'cagectl list --help' for usage.\n", "list", "--timeout", "0");
        assertUsageError("invalid admin URL 'not a url': expected something like http://127.0.0.1:8081\n",
                "--admin", "not a url", "list");
        assertTrue(seen.isEmpty());
        assertEquals("", out.toString());
    }

    private void assertUsageError(String expectedErr, String... args) {
        err.getBuffer().setLength(0);
        assertEquals(ExitCodes.USAGE, run(args), err::toString);
        assertEquals(expectedErr, err.toString());
    }

    @Test
    void helpAndVersionExitZero() {
        assertEquals(ExitCodes.OK, run("--help"));
        String usage = out.toString();
        for (String sub : List.of("list", "history", "deploy", "undeploy", "problems")) {
            assertTrue(usage.contains(sub), usage);
        }
        assertTrue(usage.startsWith("Usage: cagectl [OPTIONS] COMMAND [ARGS]\n"), usage);
        assertTrue(usage.contains("  3  the admin API could not be reached"), usage);

        out.getBuffer().setLength(0);
        assertEquals(ExitCodes.OK, run("deploy", "--help"));
        assertTrue(out.toString().startsWith("Usage: cagectl deploy [OPTIONS] JAR\n"), out::toString);
        out.getBuffer().setLength(0);
        assertEquals(ExitCodes.OK, run("help", "history"));
        assertTrue(out.toString().startsWith("Usage: cagectl history [OPTIONS]\n"), out::toString);
        assertTrue(out.toString().contains("--last N"), out::toString);
        out.getBuffer().setLength(0);
        assertEquals(ExitCodes.OK, run("--version"));
        assertTrue(out.toString().startsWith("cagectl "), out::toString);
        assertEquals("", err.toString());
        assertTrue(seen.isEmpty());
    }

    private Path cageJar(String cage) throws IOException {
        java.util.jar.Manifest manifest = new java.util.jar.Manifest();
        manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Cage-Name", cage);
        Path jar = tmp.resolve(cage + ".jar");
        try (java.util.jar.JarOutputStream out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar), manifest)) {
            out.putNextEntry(new java.util.jar.JarEntry("bad.txt"));
            out.write("bad".getBytes(StandardCharsets.UTF_8));
        }
        return jar;
    }

    @Test
    void aRolloutFromTheFlockStopsBeforeAnyDeployWhenAMemberPublishesNoAdminUrl() throws IOException {
        flock = "[{\"name\":\"a\",\"self\":true,\"adminUrl\":\"ADMIN\"},{\"name\":\"b\",\"self\":false}]";
        assertEquals(ExitCodes.USAGE, run("deploy", "--flock", cageJar("hello").toString()));
        assertTrue(err.toString().contains("the flock directory does not say where host 'b' has its admin API (its admin listener"
                + " is off, or it runs an older build); give every host's admin URL with --hosts URL,URL,..."), err::toString);
        assertTrue(seen.stream().noneMatch(s -> s.method().equals("POST")), seen::toString);
    }

    @Test
    void aRolloutFromTheFlockRefusesAUrlWhereAnotherHostAnswers() throws IOException {
        // b publishes the same loopback URL as a: from here it reaches a, which must not be updated twice.
        flock = "[{\"name\":\"a\",\"self\":true,\"adminUrl\":\"ADMIN\"},{\"name\":\"b\",\"self\":false,\"adminUrl\":\"ADMIN\"}]";
        assertEquals(ExitCodes.FAILED, run("deploy", "--flock", cageJar("hello").toString()));
        assertTrue(err.toString().contains("host 'b' publishes its admin API at " + adminUrl + ", but host 'a' answers there"), err::toString);
        assertTrue(seen.stream().noneMatch(s -> s.method().equals("POST")), seen::toString);
    }

    @Test
    void aRolloutFromTheFlockPrintsTheOrderAndDeploysAtThePublishedUrl() throws IOException {
        flock = "[{\"name\":\"a\",\"self\":true,\"adminUrl\":\"ADMIN/\"}]";
        assertEquals(ExitCodes.FAILED, run("deploy", "--flock", "--watch", "3s", cageJar("hello").toString()), "the fake rolls 'bad' back");
        assertTrue(out.toString().startsWith("rollout order (by host name): a " + adminUrl + "\n"), out::toString);
        assertEquals(1, seen.stream().filter(s -> s.method().equals("POST") && s.path().equals("/deploy")).count(), seen::toString);
    }
}
