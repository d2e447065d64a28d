package io.cages.transport.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.cages.api.CageException;
import io.cages.host.spi.Reply;
import io.cages.host.spi.Settings;
import io.cages.host.spi.Transport;
import io.cages.host.spi.TransportContext;
import io.cages.transport.jobs.internal.JobConfigs;
import io.cages.transport.jobs.internal.JobRunner;
import io.cages.transport.jobs.internal.LastFired;
import io.cages.transport.jobs.internal.SystemTicker;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires requests into cages on a schedule (recurring and drifting timers, cron in a time zone) and for the files
 * that appear in watched folders. Jobs are declared per cage in {@code <dir>/<cage>.json} and reloaded live (see
 * the module README for the file format and the semantics: overlap, drift, DST, misfire, the folder convention).
 *
 * <p>Found with ServiceLoader by the host, it reads the host config's {@code transports.jobs} section:
 * <pre>{"dir": "configs/jobs", "pollMs": 500}</pre>
 * Without that section it does nothing. Rejected job files show in the admin API's config problems.
 */
public final class JobsTransport implements Transport {

    private static final Logger LOG = LoggerFactory.getLogger(JobsTransport.class);
    private static final Set<String> KEYS = Set.of("dir", "pollMs");

    private SystemTicker ticker;
    private JobConfigs configs;
    private volatile boolean stopped;

    @Override
    public String name() {
        return "jobs";
    }

    @Override
    public void start(TransportContext context) throws Exception {
        JsonNode section = context.config().transport("jobs");
        if (section == null) {
            return;
        }
        Settings s = Settings.of(section, "transports.jobs", System::getenv, KEYS);
        Path dir = Path.of(s.string("dir", "configs/jobs"));
        long pollMs = s.longValue("pollMs", context.config().pollMs(), 10, Long.MAX_VALUE);
        ticker = new SystemTicker(Clock.systemUTC());
        configs = new JobConfigs(dir, ticker, context.dispatcher(),
                new LastFired(context.config().workDir().resolve("jobs")), System::getenv);
        context.addConfigProblems(configs::problems);
        configs.scan();
        scheduleScan(Duration.ofMillis(pollMs));
        LOG.info("jobs transport: {} job(s), {} watched folder(s) from {}", configs.jobs().size(), configs.folders().size(), dir);
    }

    private void scheduleScan(Duration every) {
        ticker.schedule(ticker.now().plus(every), () -> {
            if (!stopped) {
                configs.scan();
                scheduleScan(every);
            }
        });
    }

    /** Every job with its next fire time, last run and outcome; empty when the transport is not configured. */
    public List<JobStatus> jobs() {
        return configs == null ? List.of() : configs.jobs();
    }

    /**
     * Fires job {@code name} of {@code cage} once now, outside its schedule; completes with the run's reply.
     * Fails with {@code not_found} when there is no such job.
     */
    public CompletableFuture<Reply> runJob(String cage, String name) {
        JobRunner job = configs == null ? null : configs.job(cage, name);
        if (job == null) {
            return CompletableFuture.failedFuture(CageException.notFound("no job '" + name + "' for cage '" + cage + "'"));
        }
        return job.runNow();
    }

    /** Reads the jobs folder now instead of at the next poll (tests). */
    public void scan() {
        if (configs != null) {
            configs.scan();
        }
    }

    @Override
    public void stopAccepting() {
        stopped = true;
        if (configs != null) {
            configs.close(5_000); // no new runs; runs in flight are drained by the host
        }
    }

    @Override
    public void close() {
        stopAccepting();
        if (ticker != null) {
            ticker.close();
        }
    }
}
