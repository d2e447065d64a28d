package io.cages.transport.jobs;

import static io.cages.host.testing.PrometheusSamples.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.admin.DeployRecord;
import io.cages.host.spi.HostJson;
import io.cages.host.testing.Await;
import io.cages.host.testing.Probe;
import io.cages.host.testing.TestCages;
import io.cages.transport.jobs.testcage.ClockCage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job meters of GET /metrics: each job's own counts, exact after known runs, gone with the job. */
class JobMetricsTest {

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
    void aJobFiredThreeTimesCountsThree() throws Exception {
        Path jobs = Files.createDirectories(dir.resolve("jobs"));
        // Once a year: within the test it fires only by hand.
        Files.writeString(jobs.resolve("clock.json"), """
                {"jobs": {"yearly": {"operation": "beat", "cron": "0 0 1 1 *"}}}""");
        JobsTransport transport = new JobsTransport();
        host = Host.start(HostConfig.defaults().withWorkDir(dir.resolve("work")).withCageConfigDir(dir.resolve("c"))
                .withTransport("jobs", HostJson.MAPPER.readTree("{\"dir\": \"%s\", \"pollMs\": 50}".formatted(jobs))),
                List.of(transport));
        DeployRecord deployed = host.admin().deploy(TestCages.build("clock", "1.0.0", ClockCage.class), "test");
        assertTrue(deployed.succeeded(), deployed.toString());

        for (int i = 0; i < 3; i++) {
            assertTrue(host.admin().runJob("clock", "yearly").succeeded());
        }
        String text = host.admin().metrics(null).text();
        assertEquals(3, sum(text, "cages_job_fired_total", "cage=\"clock\"", "job=\"yearly\""), text);
        assertEquals(0, sum(text, "cages_job_skipped_total", "cage=\"clock\"", "job=\"yearly\""), text);
        assertEquals(0, sum(text, "cages_job_not_here_total", "cage=\"clock\"", "job=\"yearly\""), text);
        assertEquals(0, sum(text, "cages_job_running", "cage=\"clock\"", "job=\"yearly\""), text);
        assertTrue(text.contains("cages_job_fired_total{cage=\"clock\",host="), "one series per job: " + text);

        // The job removed from the file: its meters go with it.
        Files.writeString(jobs.resolve("clock.json"), """
                {"jobs": {}}""");
        Await.until("the job removed", Duration.ofSeconds(10), () -> transport.jobs().isEmpty());
        String after = host.admin().metrics(null).text();
        assertFalse(after.contains("cages_job_fired_total{"), after);
        assertFalse(after.contains("cages_job_running{"), after);
    }
}
