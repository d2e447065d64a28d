package io.cages.transport.jobs.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.host.admin.ConfigProblem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Job files reloaded live: good edits applied, bad ones rejected with file, key and reason, old jobs kept. */
class JobConfigsTest {

    @TempDir
    Path dir;

    private final FakeTicker ticker = new FakeTicker(Instant.parse("2026-03-01T10:00:00Z"));
    private final FakeDispatcher dispatcher = new FakeDispatcher(r -> null);

    private JobConfigs configs() {
        return new JobConfigs(dir.resolve("jobs"), ticker, dispatcher, new LastFired(dir.resolve("work")), name -> null);
    }

    private Path write(String cage, String json) throws IOException {
        Files.createDirectories(dir.resolve("jobs"));
        return Files.writeString(dir.resolve("jobs").resolve(cage + ".json"), json);
    }

    @Test
    void badEditsAreRejectedWithFileKeyAndReasonAndTheOldJobsKeepRunning() throws IOException {
        Path file = write("billing", """
                {"jobs": {"tick": {"operation": "ping", "recurringMs": 1000, "params": {"n": 1}}}}""");
        JobConfigs configs = configs();
        configs.scan();
        JobRunner tick = configs.job("billing", "tick");
        ticker.advance(Duration.ofSeconds(2));
        assertEquals(3, dispatcher.calls.size());
        assertEquals(Map.of("n", 1), dispatcher.calls.get(0).request().params());

        assertRejected(configs, file, """
                {"jobs": {"tick": {"operation": "ping", "recurringMs": 1000, "everyMs": 5}}}""",
                "jobs.tick.everyMs: unknown key");
        assertRejected(configs, file, """
                {"jobs": {"tick": {"operation": "ping", "cron": "61 * * * *"}}}""",
                "jobs.tick.cron: is not a valid cron expression");
        assertRejected(configs, file, """
                {"jobs": {"tick": {"operation": "ping", "cron": "0 2 * *"}}}""",
                "jobs.tick.cron: is not a valid cron expression: must have 5 fields");
        assertRejected(configs, file, """
                {"jobs": {"tick": {"operation": "ping", "cron": "0 2 * * *", "zone": "Mars/Olympus"}}}""",
                "jobs.tick.zone: is not a known time zone");
        assertRejected(configs, file, """
                {"folders": {"in": {"operation": "ingest", "path": "%s"}}}""".formatted(dir.resolve("nope")),
                "folders.in.path: folder " + dir.resolve("nope") + " does not exist");
        assertRejected(configs, file, """
                {"jobs": {"tick": {"operation": "ping", "recurringMs": 1000, "driftingMs": 1000}}}""",
                "jobs.tick: needs exactly one of recurringMs, driftingMs, cron; has 2");
        assertRejected(configs, file, """
                {"jobs": {"tick": {"operation": "ping", "recurringMs": 1000, "onePerFlock": true}}}""",
                "jobs.tick.onePerFlock: needs transports.jobs.flockSize in the host config");
        assertRejected(configs, file, "{\"jobs\": ", "");

        assertSame(tick, configs.job("billing", "tick"), "the running job was left alone");
        int before = dispatcher.calls.size();
        ticker.advance(Duration.ofSeconds(1));
        assertEquals(before + 1, dispatcher.calls.size(), "and keeps firing");

        write("billing", """
                {"jobs": {"tick": {"operation": "ping", "recurringMs": 1000, "params": {"n": 1}},
                          "nightly": {"operation": "report", "cron": "30 2 * * *", "zone": "Europe/Paris", "misfire": "fire-once"}}}""");
        configs.scan();
        assertEquals(List.of(), configs.problems(), "a good edit clears the problem");
        assertSame(tick, configs.job("billing", "tick"), "an unchanged job keeps running untouched");
        assertEquals("cron 30 2 * * * Europe/Paris fire-once", configs.job("billing", "nightly").status().schedule());

        Files.delete(file);
        configs.scan();
        assertEquals(List.of(), configs.jobs());
        before = dispatcher.calls.size();
        ticker.advance(Duration.ofSeconds(5));
        assertEquals(before, dispatcher.calls.size(), "a deleted file stops its jobs");
    }

    private void assertRejected(JobConfigs configs, Path file, String json, String reasonStart) throws IOException {
        Files.writeString(file, json);
        configs.scan();
        List<ConfigProblem> problems = configs.problems();
        assertEquals(1, problems.size(), json);
        assertEquals(file.toString(), problems.get(0).file());
        assertTrue(problems.get(0).reason().startsWith(reasonStart), problems.get(0).reason());
    }

    @Test
    void aFileNamedAfterNoValidCageIsRejected() throws IOException {
        Path file = write("Bad_Name", "{}");
        JobConfigs configs = configs();
        configs.scan();
        assertEquals("the file name must be <cage>.json with a valid cage name", configs.problems().get(0).reason());
        assertEquals(file.toString(), configs.problems().get(0).file());
    }
}
