package io.cages.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.api.ErrorCode;
import io.cages.host.testing.Probe;
import io.cages.host.testing.TestCages;
import io.cages.testcages.caller.CallerCage;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A cage calls another by name on the same host: pass-by-value, deadline inherited, errors name the callee. */
class CallByNameTest {

    @TempDir
    Path dir;
    HostFixture fx;

    @BeforeEach
    void start() throws Exception {
        Probe.reset();
        fx = new HostFixture(HostConfig.defaults().withName("h1").withWorkDir(dir.resolve("work")).withCageConfigDir(dir.resolve("configs")));
        fx.deploy(HostFixture.versionCage("svc", "1.0.0"));
        fx.deploy(TestCages.build("caller", "1.0.0", CallerCage.class));
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    @Test
    void callsTheLocalCopyByName() throws Exception {
        JsonNode answer = fx.callOk("caller", "relay", Map.of("target", "svc", "op", "version")).value();
        assertEquals("1.0.0", answer.path("value").path("version").asText());
        assertEquals("h1", answer.path("host").asText());
    }

    @Test
    void parametersArePassedByValueAndTheCallerIsNamed() throws Exception {
        JsonNode answer = fx.callOk("caller", "point", Map.of("target", "svc", "n", 7)).value().path("value");
        assertEquals(3, answer.path("params").path("point").path("x").asInt(), "the record arrives as a tree: " + answer);
        assertEquals(7, answer.path("params").path("n").asInt());
        assertEquals("caller", answer.path("caller").asText());
    }

    @Test
    void theCalleeRunsWithinTheCallersDeadline() throws Exception {
        JsonNode answer = fx.call("caller", "point", Map.of("target", "svc"), Deadline.afterMillis(800)).get().value().path("value");
        long remaining = answer.path("remainingMs").asLong();
        assertTrue(remaining > 0 && remaining <= 800, "callee remaining " + remaining);
    }

    @Test
    void errorsOfTheCalleeNameCageOperationAndHost() throws Exception {
        CageException failure = HostFixture.failureOf(fx.call("caller", "relay", Map.of("target", "svc", "op", "nope"), null));
        assertEquals(ErrorCode.NOT_FOUND, failure.code());
        assertTrue(failure.getMessage().contains("cage 'svc' operation 'nope' on host 'h1'"), failure.getMessage());

        CageException missing = HostFixture.failureOf(fx.call("caller", "relay", Map.of("target", "ghost", "op", "x"), null));
        assertEquals(ErrorCode.NOT_FOUND, missing.code());
        assertTrue(missing.getMessage().contains("no cage named 'ghost'"), missing.getMessage());
    }

    @Test
    void aSlowCalleeEndsTheCallerAtItsDeadline() throws Exception {
        long started = System.nanoTime();
        CageException late = HostFixture.failureOf(fx.call("caller", "relay", Map.of("target", "svc", "op", "sleep", "ms", "3000"),
                Deadline.afterMillis(300)));
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertEquals(ErrorCode.DEADLINE_EXCEEDED, late.code());
        assertTrue(tookMs < 2_000, "took " + tookMs);
        io.cages.host.testing.Await.until("the callee is interrupted too", java.time.Duration.ofSeconds(5),
                () -> fx.host.admin().cages().stream().allMatch(c -> c.running() == 0));
        assertEquals(0, Probe.get("svc.sleep.done"), "the callee did not finish its work after the deadline");
    }
}
