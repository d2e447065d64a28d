package io.cages.transport.jobs.internal;

import com.cronutils.model.time.ExecutionTime;
import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.host.spi.Dispatcher;
import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.Reply;
import io.cages.host.admin.JobInfo;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires one job: keeps its next tick on the {@link Ticker}, turns each tick into a request for the dispatcher, and
 * counts what happened. Ticks run on the ticker's thread and completions on the handlers' threads, so the state
 * is guarded by this object's monitor; no dispatch happens while holding it for longer than building a request.
 */
public final class JobRunner {

    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);

    /** A job's streamed answer is collected (and dropped) up to this; past it the run fails and says so. */
    static final int MAX_STREAMED_ANSWER_BYTES = 16 * 1024 * 1024;

    private final JobSpec spec;
    private final Ticker ticker;
    private final Dispatcher dispatcher;
    private final LastFired lastFired;
    private final ExecutionTime cron;

    // Guarded by this.
    private boolean stopped;
    private Ticker.Scheduled pending;
    private Instant nextFire;
    private Instant lastScheduled;
    private Instant lastStarted;
    private String lastOutcome;
    private long fired;
    private long skipped;
    private int running;
    private Instant owedTick; // a cron tick missed while busy, owed under fire-once

    private final FlockGate gate;
    private long notHere; // guarded by this

    public JobRunner(JobSpec spec, Ticker ticker, Dispatcher dispatcher, LastFired lastFired) {
        this(spec, ticker, dispatcher, lastFired, null);
    }

    /** With {@code gate} deciding, for a job declared {@code onePerFlock}, whether this host fires a tick. */
    public JobRunner(JobSpec spec, Ticker ticker, Dispatcher dispatcher, LastFired lastFired, FlockGate gate) {
        this.gate = spec.onePerFlock() ? java.util.Objects.requireNonNull(gate, "a onePerFlock job needs a flock gate") : null;
        this.spec = spec;
        this.ticker = ticker;
        this.dispatcher = dispatcher;
        this.lastFired = lastFired;
        this.cron = spec.schedule() instanceof Schedule.CronSchedule c ? c.executionTime() : null;
    }

    public JobSpec spec() {
        return spec;
    }

    /** Schedules the first tick; a cron job first settles the ticks it missed while the host was down. */
    public synchronized void start() {
        Instant now = ticker.now();
        if (spec.schedule() instanceof Schedule.CronSchedule c) {
            Instant last = lastFired.read(spec);
            Instant latestMissed = last == null ? null : latestTickAtOrBefore(c, now);
            if (latestMissed != null && latestMissed.isAfter(last)) {
                if (c.misfire() == Schedule.Misfire.FIRE_ONCE) {
                    LOG.info("job {}: ticks missed since {}; firing once for {}", spec.id(), last, latestMissed);
                    at(now, () -> tick(latestMissed));
                    return;
                }
                long missed = countTicks(c, last, now);
                skipped += missed;
                LOG.info("job {}: {} tick(s) missed since {} are skipped (misfire skip)", spec.id(), missed, last);
            }
            at(Schedule.nextCron(cron, c.zone(), now), null);
        } else {
            at(now.plus(spec.initialDelay()), null);
        }
    }

    /** Stops ticking; runs in flight finish within their deadlines. */
    public synchronized void stop() {
        stopped = true;
        nextFire = null;
        if (pending != null) {
            pending.cancel();
            pending = null;
        }
    }

    /** Fires one run now, outside the schedule (cagectl run-job); overlap limits do not apply. */
    public ManualRun runNow() {
        Instant now = ticker.now();
        synchronized (this) {
            return new ManualRun(requestId(now, true), fire(now, now, true));
        }
    }

    /** A run fired by hand: its request id and reply. */
    public record ManualRun(String requestId, CompletableFuture<Reply> reply) {
    }

    private String requestId(Instant scheduled, boolean byHand) {
        return spec.name() + "@" + scheduled + (byHand ? "+manual" : "");
    }

    public synchronized JobInfo status() {
        return new JobInfo(spec.cage(), spec.name(), describe(), nextFire, lastScheduled, lastStarted,
                running > 0 && lastOutcome == null ? "running" : lastOutcome, fired, skipped, running, notHere);
    }

    /** Schedules a tick at {@code at}; {@code task} null means the regular tick for that instant. */
    private void at(Instant at, Runnable task) {
        if (stopped || at == null) {
            nextFire = null;
            return;
        }
        nextFire = at;
        pending = ticker.schedule(at, task != null ? task : () -> tick(at));
    }

    private synchronized void tick(Instant scheduled) {
        if (stopped) {
            return;
        }
        Instant now = ticker.now();
        switch (spec.schedule()) {
            case Schedule.Recurring r -> {
                if (running < r.maxOverlap()) {
                    fire(scheduled, now, false);
                } else {
                    skipped++;
                    LOG.debug("job {}: tick {} skipped, {} run(s) still running", spec.id(), scheduled, running);
                }
                Instant next = scheduled.plus(r.period());
                if (!next.isAfter(now)) {
                    // The ticker was late by whole periods (a stalled JVM, a suspended machine): run the latest
                    // due tick now and count the ones in between as skipped.
                    long behind = Duration.between(next, now).dividedBy(r.period());
                    skipped += behind;
                    next = next.plus(r.period().multipliedBy(behind));
                }
                at(next, null);
            }
            case Schedule.Drifting d -> {
                nextFire = null; // known once this run ends
                fire(scheduled, now, false).whenComplete((reply, failure) -> {
                    synchronized (this) {
                        at(ticker.now().plus(d.period()), null);
                    }
                });
            }
            case Schedule.CronSchedule c -> {
                if (running == 0) {
                    fire(scheduled, now, false);
                } else if (c.misfire() == Schedule.Misfire.FIRE_ONCE) {
                    if (owedTick != null) {
                        skipped++; // fire-once: one owed run however many ticks were missed
                    }
                    owedTick = scheduled;
                } else {
                    skipped++;
                }
                Instant next = Schedule.nextCron(cron, c.zone(), scheduled);
                if (next != null && !next.isAfter(now)) {
                    // Late past further ticks (a stalled JVM or machine): this late run stands for them all, under
                    // either policy; they are counted as skipped.
                    skipped += countTicks(c, scheduled, now);
                    next = Schedule.nextCron(cron, c.zone(), now);
                }
                at(next, null);
            }
        }
    }

    /** Dispatches one run. Called holding the monitor. */
    private CompletableFuture<Reply> fire(Instant scheduled, Instant now, boolean byHand) {
        if (gate != null && !byHand) {
            FlockGate.Verdict verdict = gate.ask(spec.cage(), now);
            if (verdict != FlockGate.Verdict.FIRE) {
                notHere++;
                LOG.debug("job {}: tick {} not fired here: {}", spec.id(), scheduled, verdict);
                return CompletableFuture.completedFuture(null);
            }
        }
        running++;
        fired++;
        lastScheduled = scheduled;
        lastStarted = now;
        lastOutcome = null;
        if (cron != null && !byHand) {
            // Recorded before the run: a crash mid-run does not make a restarted host fire this tick again.
            lastFired.write(spec, scheduled);
        }
        String id = requestId(scheduled, byHand);
        Map<String, String> attributes = Map.of(
                "job.name", spec.name(),
                "job.scheduled", scheduled.toString(),
                "job.actual", now.toString(),
                "job.manual", Boolean.toString(byHand));
        InboundRequest request = new InboundRequest(id, spec.cage(), spec.operation(), spec.params(), null, null,
                attributes, "job:" + spec.name(), spec.timeout() == null ? null : Deadline.after(spec.timeout()));
        // A streamed answer is run to its end like any answer, collected up to the limit (nobody reads it).
        CompletableFuture<Reply> reply = dispatcher.dispatch(request)
                .thenCompose(r -> r.collected(MAX_STREAMED_ANSWER_BYTES, "jobs' answer limit"));
        reply.whenComplete((r, failure) -> ended(id, failure));
        return reply;
    }

    private void ended(String id, Throwable failure) {
        synchronized (this) {
            Instant owed;
            running--;
            lastOutcome = outcomeOf(failure);
            if (failure != null) {
                LOG.warn("job {}: run {} failed: {}", spec.id(), id, lastOutcome);
            }
            owed = owedTick;
            owedTick = null;
            if (owed != null && !stopped) {
                fire(owed, ticker.now(), false); // the one run fire-once owes for ticks missed while busy
            }
        }
    }

    private static String outcomeOf(Throwable failure) {
        if (failure == null) {
            return "ok";
        }
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof CageException ce) {
            return ce.code().name().toLowerCase() + ": " + ce.getMessage();
        }
        return "internal: " + cause;
    }

    private Instant latestTickAtOrBefore(Schedule.CronSchedule c, Instant now) {
        if (now.equals(Schedule.nextCron(cron, c.zone(), now.minusMillis(1)))) {
            return now; // lastExecution is strictly before
        }
        return cron.lastExecution(now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).atZone(c.zone()))
                .map(i -> i.toInstant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)).orElse(null);
    }

    /** Ticks in (after, until], counted up to a bound (a long outage of a per-second job is not walked). */
    private long countTicks(Schedule.CronSchedule c, Instant after, Instant until) {
        long n = 0;
        for (Instant t = Schedule.nextCron(cron, c.zone(), after); t != null && !t.isAfter(until) && n < 100_000; t = Schedule.nextCron(cron, c.zone(), t)) {
            n++;
        }
        return n;
    }

    private String describe() {
        return switch (spec.schedule()) {
            case Schedule.Recurring r -> "recurring every " + r.period().toMillis() + " ms, at most " + r.maxOverlap() + " at once";
            case Schedule.Drifting d -> "drifting " + d.period().toMillis() + " ms after each run";
            case Schedule.CronSchedule c -> "cron " + c.expression() + " " + c.zone() + " " + c.misfire().name().toLowerCase().replace('_', '-');
        };
    }
}
