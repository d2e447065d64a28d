package io.cages.host.admin;

import java.util.List;

/**
 * Operator actions on a running host: what the admin HTTP API and {@code cagectl} call. Deploys through
 * this interface also write the jar into the deploy folder, so the folder stays the one source of truth for
 * what a restarted host runs.
 */
public interface Admin {

    /** All cages with their installed versions, states and in-flight counts. */
    List<CageInfo> cages();

    /** Deploy attempts, newest last, bounded in length. */
    List<DeployRecord> history();

    /**
     * Deploys or updates the cage in {@code jar} (its name comes from the jar's {@code Cage-Name}). Returns
     * once the new version serves, or failed and the previous version stays active; the outcome says which.
     */
    DeployRecord deploy(byte[] jar, String origin);

    /**
     * A guarded deploy: deploys as {@link #deploy} does, then watches the new version for {@code rule}'s window
     * and rolls back to the previous version (a live swap, like any other) when it crosses a threshold. Returns
     * once the window passed or the host rolled back; {@link #rollouts()} shows it meanwhile.
     */
    default Rollout deployGuarded(byte[] jar, String origin, WatchRule rule) {
        throw new UnsupportedOperationException("this host does not watch deploys");
    }

    /**
     * Swaps the cage back to the version it ran before its last deploy (the host keeps exactly one previous
     * version per cage, in memory; a rollback uses it up).
     *
     * @return null when there is no previous version of that cage to go back to
     */
    default DeployRecord rollback(String cage, String origin) {
        return null;
    }

    /** Guarded deploys on this host, newest last, bounded in length. */
    default List<Rollout> rollouts() {
        return List.of();
    }

    /** Undeploys a cage: stops routing to it, drains in-flight requests, uninstalls it, deletes its jar. */
    DeployRecord undeploy(String cage, String origin);

    /** Config files that were rejected and are not in force, with reasons. */
    List<ConfigProblem> configProblems();

    /** Each resource's kind and pool counts (never credentials); an empty object when there are none. */
    com.fasterxml.jackson.databind.JsonNode resources();

    /** The flock this host is in, itself included; empty when it is in none. */
    List<FlockMember> flock();

    /**
     * The address the admin listener is bound to, as the transport that runs it offered it (the flock publishes
     * it so {@code cagectl deploy --flock} finds every host); null when no listener runs.
     */
    default java.net.InetSocketAddress adminAddress() {
        return null;
    }

    /** Scheduled jobs (timers, cron) with next fire time, last run and outcome; empty when no transport runs jobs. */
    default List<JobInfo> jobs() {
        return List.of();
    }

    /**
     * Fires a job once now, outside its schedule, and waits for its outcome.
     *
     * @param cage the job's cage, or null when its name is unique across cages
     * @return null when there is no such job
     */
    default JobRun runJob(String cage, String name) {
        return null;
    }

    /**
     * The host's metrics in the Prometheus text format, or OpenMetrics when {@code accept} (an HTTP Accept
     * header, may be null) asks for {@code application/openmetrics-text}.
     *
     * @return null when metrics are switched off ({@code "metrics": {"enabled": false}} in host.json)
     */
    default MetricsText metrics(String accept) {
        return null;
    }

    /**
     * Stored durable calls to {@code cage} (null: all cages), newest first, at most {@code limit}: id, caller,
     * cage, operation, key, status (pending, done, failed, expired, cancelled), inFlight, attempts, times and
     * the last error.
     *
     * @throws io.cages.api.CageException BAD_REQUEST for an unknown status, UNAVAILABLE when a database is unreachable
     */
    default com.fasterxml.jackson.databind.JsonNode durableCalls(String cage, String status, int limit) throws io.cages.api.CageException {
        return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
    }

    /**
     * Counts of the durable calls this host relays, for its metrics; {@link DurableCallCounts#NONE} when its
     * resource provider stores none.
     */
    default DurableCallCounts durableCallCounts() {
        return DurableCallCounts.NONE;
    }

    /** Makes a durable call due again now (a failed, expired or cancelled one with a new expiry); false: no such call. */
    default boolean retryDurableCall(String id) throws io.cages.api.CageException {
        return false;
    }

    /** Cancels a pending durable call (one being delivered right now may still take effect); false: no such pending call. */
    default boolean cancelDurableCall(String id) throws io.cages.api.CageException {
        return false;
    }

    /**
     * The console's recent history of one cage and operation (or their totals): per slot of the window the
     * requests, rate, p50/p99, errors by code, in flight and queued, with the swaps of the window as markers.
     * See the README's "Console" for the fields.
     *
     * @param cage      a cage, or null for the whole host
     * @param operation one of its operations, or null for all
     * @param window    {@code minute} (the last minute per 10 s; also when null) or {@code hour} (the last hour per minute)
     * @return null when metrics are switched off
     * @throws IllegalArgumentException for another window
     */
    default com.fasterxml.jackson.databind.JsonNode metricsHistory(String cage, String operation, String window) {
        return null;
    }

    /**
     * The health monitor's view: this host's state and every cage of every host of the flock with its status
     * (see the README's "Health monitor").
     *
     * @return null when the host has no health monitor
     */
    default HealthView health() {
        return null;
    }
}
