package io.cages.host.admin;

import java.time.Instant;

/**
 * One scheduled job as the admin API shows it (the jobs transport runs them).
 *
 * @param cage          cage it fires into
 * @param name          job name within the cage
 * @param schedule      its schedule as configured, e.g. {@code cron 30 2 * * * Europe/Paris fire-once}
 * @param nextFire      next scheduled tick, or null (a drifting job whose run has not ended; a stopped job)
 * @param lastScheduled the tick of the last run, or null when it never ran
 * @param lastStarted   when the last run was actually dispatched, or null
 * @param lastOutcome   {@code ok}, an error code with its message, or null while the last run runs or when none ran
 * @param fired         runs started since the job was (re)configured
 * @param skipped       ticks not run: past a recurring job's overlap limit, or missed under {@code skip}
 * @param running       runs in flight now
 * @param notHere       ticks of a {@code onePerFlock} job this host left to another host of the flock (or that
 *                      no host fired: during a handover, or on a side of the flock without a majority)
 */
public record JobInfo(String cage, String name, String schedule, Instant nextFire, Instant lastScheduled,
                      Instant lastStarted, String lastOutcome, long fired, long skipped, int running, long notHere) {
}
