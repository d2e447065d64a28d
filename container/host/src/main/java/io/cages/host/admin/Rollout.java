package io.cages.host.admin;

import java.time.Instant;

/**
 * A guarded deploy on this host: the deploy, then the watch of the new version against the old one's baseline.
 *
 * @param id       increasing number on this host
 * @param startedAt when the deploy was asked for
 * @param cage     the cage (null when the jar was not a valid cage)
 * @param version  the new version
 * @param previous the version it replaced (rolled back to on a failure), or null for a first deploy
 * @param state    where it stands
 * @param reason   why it failed or was rolled back, or what the watch found when it passed; null while watching
 * @param rule     the thresholds it was judged by
 * @param baseline the cage's requests on this host over the minute before the swap
 * @param observed the new version's requests during the watch so far
 * @param deploy   the deploy's record
 * @param rollback the rollback's record, or null
 */
public record Rollout(long id, Instant startedAt, String cage, String version, String previous, State state, String reason,
                      WatchRule rule, Sample baseline, Sample observed, DeployRecord deploy, DeployRecord rollback) {

    public enum State {
        /** The new version serves and is being watched. */
        WATCHING,
        /** The watch window passed within the thresholds (or there was nothing to compare: a first deploy). */
        PASSED,
        /** The new version crossed a threshold; the previous version serves again. */
        ROLLED_BACK,
        /** The deploy itself failed (start or self-test); the previous version never stopped serving. */
        FAILED,
        /** The new version crossed a threshold and the rollback failed: the new version still serves. */
        ROLLBACK_FAILED,
        /** Another deploy, rollback or undeploy of the cage replaced the new version during its watch: not judged. */
        REPLACED
    }

    /**
     * Requests of one version over a span of time.
     *
     * @param requests answered
     * @param errors   answered with an error (any error code)
     * @param p99Ms    99th percentile latency in ms, null without requests
     * @param seconds  the span they were counted over
     */
    public record Sample(long requests, long errors, Double p99Ms, double seconds) {

        public static final Sample NONE = new Sample(0, 0, null, 0);

        /** Errors per request in percent; 0 without requests. */
        public double errorRatePercent() {
            return requests == 0 ? 0 : errors * 100.0 / requests;
        }
    }

    /** True unless the deploy failed or the new version was rolled back (a failed rollback counts as failed). */
    public boolean passed() {
        return state == State.PASSED || state == State.WATCHING;
    }
}
