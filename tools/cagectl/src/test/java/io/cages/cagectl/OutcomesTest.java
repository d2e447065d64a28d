package io.cages.cagectl;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class OutcomesTest {

    private static JsonNode record(String outcome, String action, String version, String previous, String reason) {
        return Json.tryParse("""
                {"seq":7,"at":"2025-03-01T10:15:30Z","action":"%s","cage":"hello","version":%s,"previous":%s,
                 "origin":"cagectl:ops","outcome":"%s","reason":%s,"durationMs":42}
                """.formatted(action, q(version), q(previous), outcome, q(reason)));
    }

    private static String q(String s) {
        return s == null ? "null" : "\"" + s + "\"";
    }

    @Test
    void exitCodes() {
        assertEquals(ExitCodes.OK, Outcomes.exitCode(200, record("ACTIVE", "UPDATE", "1.0.1", "1.0.0", null)));
        assertEquals(ExitCodes.OK, Outcomes.exitCode(200, record("UNDEPLOYED", "UNDEPLOY", "1.0.1", null, null)));
        assertEquals(ExitCodes.OK, Outcomes.exitCode(204, null));
        assertEquals(ExitCodes.FAILED, Outcomes.exitCode(422, record("FAILED", "UPDATE", "1.0.1", "1.0.0", "x")));
        // a FAILED record is a failure whatever the status says
        assertEquals(ExitCodes.FAILED, Outcomes.exitCode(200, record("FAILED", "UPDATE", "1.0.1", "1.0.0", "x")));
        assertEquals(ExitCodes.FAILED, Outcomes.exitCode(404, Json.tryParse("{\"error\":\"not_found\"}")));
        assertEquals(ExitCodes.FAILED, Outcomes.exitCode(400, null));
        assertEquals(ExitCodes.FAILED, Outcomes.exitCode(500, null));
        assertEquals(ExitCodes.FAILED, Outcomes.exitCode(302, null));
    }

    @Test
    void successLines() {
        assertEquals("deployed hello 1.0.1 (was 1.0.0) in 42 ms",
                Outcomes.describe(record("ACTIVE", "UPDATE", "1.0.1", "1.0.0", null), "x.jar"));
        assertEquals("deployed hello 1.0.0 in 42 ms",
                Outcomes.describe(record("ACTIVE", "DEPLOY", "1.0.0", null, null), "x.jar"));
        assertEquals("deployed hello 1.0.0 (replaced the same version) in 42 ms",
                Outcomes.describe(record("ACTIVE", "UPDATE", "1.0.0", "1.0.0", null), "x.jar"));
        assertEquals("undeployed hello 1.0.1 in 42 ms",
                Outcomes.describe(record("UNDEPLOYED", "UNDEPLOY", "1.0.1", null, null), "hello"));
    }

    @Test
    void failureLines() {
        assertEquals("FAILED: deploy of hello 1.0.1: self-test failed: boom; 1.0.0 stays active",
                Outcomes.describe(record("FAILED", "UPDATE", "1.0.1", "1.0.0", "self-test failed: boom"), "x.jar"));
        assertEquals("FAILED: deploy of hello 1.0.0: bundle did not start; nothing changed",
                Outcomes.describe(record("FAILED", "DEPLOY", "1.0.0", null, "bundle did not start"), "x.jar"));
        assertEquals("FAILED: undeploy of hello: still draining",
                Outcomes.describe(record("FAILED", "UNDEPLOY", null, null, "still draining"), "hello"));
        assertEquals("FAILED: deploy of hello 1.0.1: no reason given; 1.0.0 stays active",
                Outcomes.describe(record("FAILED", "UPDATE", "1.0.1", "1.0.0", null), "x.jar"));
        JsonNode notACage = Json.tryParse("""
                {"seq":8,"action":"DEPLOY","cage":null,"version":null,"previous":null,"outcome":"FAILED",
                 "reason":"no Cage-Name header","durationMs":3}
                """);
        assertEquals("FAILED: deploy of junk.jar: no Cage-Name header; nothing changed",
                Outcomes.describe(notACage, "junk.jar"));
    }

    @Test
    void errorLines() {
        assertEquals("error: no such cage: nope (HTTP 404 not_found, request r-17)",
                Outcomes.describeError(404, Json.tryParse(
                        "{\"error\":\"not_found\",\"message\":\"no such cage: nope\",\"requestId\":\"r-17\"}"), null));
        assertEquals("error: bad_request (HTTP 400)",
                Outcomes.describeError(400, Json.tryParse("{\"error\":\"bad_request\"}"), null));
        assertEquals("error: HTTP 502 from the admin API: <html>Bad gateway</html>",
                Outcomes.describeError(502, null, "<html>Bad gateway</html>"));
        assertEquals("error: HTTP 500 from the admin API: empty answer", Outcomes.describeError(500, null, ""));
    }
}
