package io.cages.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.api.ErrorCode;
import io.cages.host.testing.Await;
import io.cages.host.testing.Probe;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.cages.host.spi.Reply;

/** Deadlines, admission limits and error mapping of the dispatcher, on a real host. */
class DispatchTest {

    @TempDir
    Path dir;
    HostFixture fx;

    @BeforeEach
    void start() throws Exception {
        Probe.reset();
        HostConfig config = HostConfig.defaults().withWorkDir(dir.resolve("work")).withCageConfigDir(dir.resolve("configs"))
                .withCageLimits("tight", new HostConfig.Limits(2_000L, 1, 1, null, null))
                .withCageLimits("quick", new HostConfig.Limits(200L, null, null, null, null));
        fx = new HostFixture(config);
        fx.deploy(HostFixture.versionCage("svc", "1.0.0"));
        fx.deploy(HostFixture.versionCage("tight", "1.0.0"));
        fx.deploy(HostFixture.versionCage("quick", "1.0.0"));
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    @Test
    void requestArrivingPastItsDeadlineIsNotExecuted() throws Exception {
        long executedBefore = fx.host.executedRequests();
        CompletableFuture<Reply> call = fx.call("svc", "version", Map.of(), Deadline.afterMillis(-1));

        CageException failure = HostFixture.failureOf(call);
        assertEquals(ErrorCode.DEADLINE_EXCEEDED, failure.code());
        assertTrue(failure.getMessage().contains("not executed"), failure.getMessage());
        assertEquals(executedBefore, fx.host.executedRequests());
        assertEquals(0, Probe.get("svc.version"));
    }

    @Test
    void requestWhoseDeadlinePassesWhileQueuedIsNeverExecuted() throws Exception {
        CompletableFuture<Reply> blocker = fx.call("tight", "block", Map.of(), Deadline.afterMillis(1_500));
        Await.until("the blocker runs", Duration.ofSeconds(5), () -> Probe.get("tight.block.started") == 1);

        CompletableFuture<Reply> queued = fx.call("tight", "version", Map.of(), Deadline.afterMillis(100));
        assertEquals(ErrorCode.DEADLINE_EXCEEDED, HostFixture.failureOf(queued).code());
        assertFalse(blocker.isDone(), "the queued request was answered at its own deadline, not when the slot freed");
        assertEquals(0, fx.host.admin().cages().stream().filter(c -> c.name().equals("tight")).findFirst().orElseThrow().queued(),
                "an expired request leaves the queue at once");

        assertEquals(ErrorCode.DEADLINE_EXCEEDED, HostFixture.failureOf(blocker).code());
        Await.until("the blocker's slot is released", Duration.ofSeconds(5),
                () -> fx.host.admin().cages().stream().filter(c -> c.name().equals("tight")).allMatch(c -> c.running() == 0 && c.queued() == 0));
        assertEquals(Reply.class, fx.call("tight", "version", Map.of(), null).get().getClass(), "the slot is free again");
        assertEquals(1, Probe.get("tight.version"), "only the last call ran 'version'");
    }

    @Test
    void overflowIsRefusedAtOnceWithUnavailable() throws Exception {
        CompletableFuture<Reply> running = fx.call("tight", "block", Map.of(), Deadline.afterMillis(1_500));
        Await.until("the first request runs", Duration.ofSeconds(5), () -> Probe.get("tight.block.started") == 1);
        CompletableFuture<Reply> queued = fx.call("tight", "version", Map.of(), null);

        CompletableFuture<Reply> refused = fx.call("tight", "version", Map.of(), null);

        assertTrue(refused.isDone(), "refused without waiting");
        CageException failure = HostFixture.failureOf(refused);
        assertEquals(ErrorCode.UNAVAILABLE, failure.code());
        assertTrue(failure.getMessage().contains("limit of 1 running and 1 queued"), failure.getMessage());
        assertEquals(ErrorCode.DEADLINE_EXCEEDED, HostFixture.failureOf(running).code());
        assertEquals("1.0.0", queued.get().value().get("version").asText(), "the queued request runs once the slot frees");
    }

    @Test
    void handlerRunningPastTheDeadlineIsAnsweredOnTimeAndInterrupted() throws Exception {
        long started = System.nanoTime();
        CageException failure = HostFixture.failureOf(fx.call("quick", "block", Map.of(), null));
        long tookMs = (System.nanoTime() - started) / 1_000_000;

        assertEquals(ErrorCode.DEADLINE_EXCEEDED, failure.code());
        assertTrue(failure.getMessage().contains("200 ms"), failure.getMessage());
        assertTrue(tookMs >= 200 && tookMs < 2_000, "answered at the cage's 200 ms limit, took " + tookMs);
        Await.until("the handler is interrupted", Duration.ofSeconds(5), () -> Probe.get("quick.block.interrupted") == 1);
    }

    @Test
    void callerDeadlineCapsTheCageLimit() throws Exception {
        long remaining = fx.call("svc", "deadline", Map.of(), Deadline.afterMillis(1_000)).get().value().get("remainingMs").asLong();
        assertTrue(remaining > 0 && remaining <= 1_000, "remaining " + remaining);
        long capped = fx.call("quick", "deadline", Map.of(), Deadline.afterMillis(60_000)).get().value().get("remainingMs").asLong();
        assertTrue(capped <= 200, "the cage's own 200 ms limit wins over a longer caller deadline: " + capped);
    }

    @Test
    void unknownCagesAndOperationsAndCrashesGetTypedErrors() throws Exception {
        CageException noCage = HostFixture.failureOf(fx.call("nope", "x", Map.of(), null));
        assertEquals(ErrorCode.NOT_FOUND, noCage.code());
        assertEquals("no cage named 'nope' is deployed", noCage.getMessage());

        assertEquals(ErrorCode.NOT_FOUND, HostFixture.failureOf(fx.call("svc", "nope", Map.of(), null)).code());

        CageException crash = HostFixture.failureOf(fx.call("svc", "fail", Map.of(), null));
        assertEquals(ErrorCode.INTERNAL, crash.code());
        assertFalse(crash.getMessage().contains("secret internal detail"), "internal details stay in the log");
        assertEquals("1.0.0", fx.version("svc"), "the host keeps serving");
    }
}
