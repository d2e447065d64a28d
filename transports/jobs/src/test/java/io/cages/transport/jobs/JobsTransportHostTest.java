package io.cages.transport.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.api.CageException;
import io.cages.api.ErrorCode;
import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.admin.ConfigProblem;
import io.cages.host.admin.DeployRecord;
import io.cages.host.admin.JobInfo;
import io.cages.host.admin.JobRun;
import io.cages.host.spi.HostJson;
import io.cages.host.spi.Reply;
import io.cages.host.testing.Await;
import io.cages.host.testing.Probe;
import io.cages.host.testing.TestCages;
import io.cages.transport.jobs.testcage.ClockCage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The transport on a real host: found config, jobs into a deployed cage, live reload, problems, run by hand. */
class JobsTransportHostTest {

    @TempDir
    Path dir;

    private Host host;

    @AfterEach
    void stop() {
        if (host != null) {
            host.close();
        }
        Probe.reset();
    }

    @Test
    void jobsAndAFolderFeedADeployedCageAndReloadLive() throws Exception {
        Path jobs = Files.createDirectories(dir.resolve("jobs"));
        Path inbox = Files.createDirectories(dir.resolve("inbox"));
        Files.writeString(jobs.resolve("clock.json"), """
                {"jobs": {"beat": {"operation": "beat", "recurringMs": 100, "params": {"n": 7}},
                          "second": {"operation": "second", "cron": "* * * * * *", "zone": "Europe/Paris"}},
                 "folders": {"inbox": {"operation": "ingest", "path": "%s", "pollMs": 50, "maxAttempts": 1}}}"""
                .formatted(inbox));
        JobsTransport transport = new JobsTransport();
        host = Host.start(HostConfig.defaults().withWorkDir(dir.resolve("work")).withCageConfigDir(dir.resolve("c"))
                .withTransport("jobs", HostJson.MAPPER.readTree("{\"dir\": \"%s\", \"pollMs\": 50}".formatted(jobs))),
                List.of(transport));
        DeployRecord deployed = host.admin().deploy(TestCages.build("clock", "1.0.0", ClockCage.class), "test");
        assertTrue(deployed.succeeded(), deployed.toString());

        Await.until("three beats", Duration.ofSeconds(10), () -> Probe.get("beat") >= 3);
        Await.until("a cron run", Duration.ofSeconds(10), () -> Probe.get("second") >= 1);
        assertTrue(Probe.get("beat.caller.job:beat") >= 3);
        assertTrue(Probe.get("id-and-times-ok") >= 4);
        JobInfo second = transport.jobs().stream().filter(j -> j.name().equals("second")).findFirst().orElseThrow();
        assertEquals("cron * * * * * * Europe/Paris skip", second.schedule());
        Await.until("the cron job's last outcome", Duration.ofSeconds(5),
                () -> "ok".equals(transport.jobs().stream().filter(j -> j.name().equals("second")).findFirst().orElseThrow().lastOutcome()));
        assertTrue(Files.exists(dir.resolve("work").resolve("jobs").resolve("clock").resolve("second.last")));

        Files.writeString(inbox.resolve("a.txt"), "alpha");
        Files.writeString(inbox.resolve("b.txt"), "poison");
        Await.until("a.txt done", Duration.ofSeconds(10), () -> Files.exists(inbox.resolve("done").resolve("a.txt")));
        Await.until("b.txt failed", Duration.ofSeconds(10), () -> Files.exists(inbox.resolve("failed").resolve("b.txt")));
        assertEquals(1, Probe.get("file.a.txt.alpha"));
        assertTrue(Files.readString(inbox.resolve("failed").resolve("b.txt.reason")).contains("bad_request: cannot ingest b.txt"));

        Reply byHand = transport.runJob("clock", "beat").get(5, TimeUnit.SECONDS);
        assertEquals(7, byHand.value().get("params").get("n").asInt());
        assertEquals(2, host.admin().jobs().size(), "the admin API sees the jobs");
        JobRun run = host.admin().runJob(null, "beat");
        assertTrue(run.succeeded(), run.toString());
        assertTrue(run.requestId().startsWith("beat@") && run.requestId().endsWith("+manual"), run.requestId());
        assertEquals(null, host.admin().runJob("clock", "nope"));
        ExecutionException unknown = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> transport.runJob("clock", "nope").get(5, TimeUnit.SECONDS));
        assertEquals(ErrorCode.NOT_FOUND, ((CageException) unknown.getCause()).code());

        // A broken edit: rejected in the host's config problems, the old jobs keep firing.
        Files.writeString(jobs.resolve("clock.json"), """
                {"jobs": {"beat": {"operation": "beat", "cron": "0 25 * * *"}}}""");
        Await.until("the problem reported", Duration.ofSeconds(10), () -> !host.admin().configProblems().isEmpty());
        ConfigProblem problem = host.admin().configProblems().get(0);
        assertEquals(jobs.resolve("clock.json").toString(), problem.file());
        assertTrue(problem.reason().startsWith("jobs.beat.cron: is not a valid cron expression"), problem.reason());
        int beats = Probe.get("beat");
        Await.until("beats go on", Duration.ofSeconds(10), () -> Probe.get("beat") >= beats + 2);

        // A good edit: the cron job goes, the beat stays.
        Files.writeString(jobs.resolve("clock.json"), """
                {"jobs": {"beat": {"operation": "beat", "recurringMs": 100, "params": {"n": 7}}}}""");
        Await.until("the edit applied", Duration.ofSeconds(10), () -> transport.jobs().size() == 1 && host.admin().configProblems().isEmpty());
    }
}
