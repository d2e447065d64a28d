package io.cages.transport.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.cages.api.CageException;
import io.cages.host.admin.JobInfo;
import io.cages.host.admin.JobRun;
import io.cages.host.spi.JobsAdmin;
import io.cages.host.spi.Reply;
import io.cages.host.spi.Settings;
import io.cages.host.spi.Transport;
import io.cages.host.spi.TransportContext;
import io.cages.transport.jobs.internal.FlockGate;
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
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires requests into cages on a schedule (recurring and drifting timers, cron in a time zone) and for the files
 * that appear in watched folders. Jobs are declared per cage in {@code <dir>/<cage>.json} and reloaded live (see
 * the module README for the file format and the semantics: overlap, drift, DST, misfire, the folder convention).
 *
 * <p>Found with ServiceLoader by the host, it reads the host config's {@code transports.jobs} section:
 * <pre>{"dir": "configs/jobs", "pollMs": 500, "flockSize": 3, "handoverMs": 3000}</pre>
 * {@code flockSize} (the hosts the flock is meant to have) enables jobs declared {@code "onePerFlock": true}, which
 * fire on one host of the flock per tick (see the module README); {@code handoverMs} is how long a host that takes
 * such a job over waits before firing it.
 * Without that section it does nothing. Rejected job files show in the admin API's config problems.
 */
public final class JobsTransport implements Transport {

    private static final Logger LOG = LoggerFactory.getLogger(JobsTransport.class);
    private static final Set<String> KEYS = Set.of("dir", "pollMs", "flockSize", "handoverMs");

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
        FlockGate gate = null;
        if (s.has("flockSize")) {
            gate = new FlockGate(context.admin()::flock, s.integer("flockSize", 1, 1, 1_000),
                    Duration.ofMillis(s.longValue("handoverMs", 3_000, 0, Long.MAX_VALUE)));
        } else if (s.has("handoverMs")) {
            throw s.problem("handoverMs", "applies with flockSize only");
        }
        configs = new JobConfigs(dir, ticker, context.dispatcher(),
                new LastFired(context.config().workDir().resolve("jobs")), System::getenv, gate);
        context.addConfigProblems(configs::problems);
        context.offerJobs(new JobsAdmin() {
            @Override
            public List<JobInfo> jobs() {
                return JobsTransport.this.jobs();
            }

            @Override
            public JobRun runJob(String cage, String name) {
                return JobsTransport.this.runJobAndWait(cage, name);
            }
        });
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
    public List<JobInfo> jobs() {
        return configs == null ? List.of() : configs.jobs();
    }

    /**
     * Fires job {@code name} of {@code cage} (null: the one job of that name) once now, outside its schedule;
     * completes with the run's reply. Fails with {@code not_found} when there is no such job.
     */
    public CompletableFuture<Reply> runJob(String cage, String name) {
        JobRunner job = find(cage, name);
        if (job == null) {
            return CompletableFuture.failedFuture(CageException.notFound("no job '" + name + "' for cage '" + cage + "'"));
        }
        return job.runNow().reply();
    }

    /**
     * Fires a job now and waits for its outcome (the run's deadline bounds the wait).
     *
     * @param cage the job's cage, or null when the name is unique across cages
     * @return null when there is no such job, or the name is not unique and no cage is given
     */
    public JobRun runJobAndWait(String cage, String name) {
        JobRunner job = find(cage, name);
        if (job == null) {
            return null;
        }
        JobRunner.ManualRun run = job.runNow();
        String requestId = run.requestId();
        try {
            run.reply().join();
            return new JobRun(job.spec().cage(), name, requestId, true, "ok");
        } catch (CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            String outcome = cause instanceof CageException ce ? ce.code().name().toLowerCase() + ": " + ce.getMessage() : "internal: " + cause;
            return new JobRun(job.spec().cage(), name, requestId, false, outcome);
        }
    }

    private JobRunner find(String cage, String name) {
        if (configs == null) {
            return null;
        }
        if (cage != null) {
            return configs.job(cage, name);
        }
        List<JobInfo> named = configs.jobs().stream().filter(j -> j.name().equals(name)).toList();
        return named.size() == 1 ? configs.job(named.get(0).cage(), name) : null;
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
