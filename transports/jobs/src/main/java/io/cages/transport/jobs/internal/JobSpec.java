package io.cages.transport.jobs.internal;

import java.time.Duration;
import java.util.Map;

/**
 * One job as declared in {@code configs/jobs/<cage>.json}. Equal specs mean an unchanged job: a reload keeps it
 * running with its schedule and counters.
 *
 * @param cage         cage it fires into
 * @param name         job name, unique within the cage
 * @param operation    operation called at each run
 * @param schedule     when it fires
 * @param initialDelay before the first run of a timer (cron ignores it)
 * @param timeout      each run's deadline, or null for the cage's own timeout
 * @param params       parameters of each run
 * @param onePerFlock  each tick fires on one host of the flock only (see {@link FlockGate})
 */
public record JobSpec(String cage, String name, String operation, Schedule schedule, Duration initialDelay,
                      Duration timeout, Map<String, Object> params, boolean onePerFlock) {

    public JobSpec {
        params = params == null ? Map.of() : params;
        initialDelay = initialDelay == null ? Duration.ZERO : initialDelay;
    }

    public JobSpec(String cage, String name, String operation, Schedule schedule, Duration initialDelay,
                   Duration timeout, Map<String, Object> params) {
        this(cage, name, operation, schedule, initialDelay, timeout, params, false);
    }

    /** {@code cage/name}: how the admin API and logs name a job. */
    public String id() {
        return cage + "/" + name;
    }
}
