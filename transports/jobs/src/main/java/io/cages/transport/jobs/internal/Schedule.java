package io.cages.transport.jobs.internal;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;

/** When a job fires. */
public sealed interface Schedule {

    /** Every {@code period} from the first run, whether the last run ended or not, up to {@code maxOverlap} at once. */
    record Recurring(Duration period, int maxOverlap) implements Schedule {
    }

    /** A run {@code period} after the last one ended: never two at once, so the schedule drifts. */
    record Drifting(Duration period) implements Schedule {
    }

    /**
     * A cron expression in a time zone. Five fields (minute hour day-of-month month day-of-week, Unix syntax) or
     * six with seconds first (Spring syntax). At most one run at a time; ticks missed while the host was down or
     * the last run still running follow {@code misfire}.
     */
    record CronSchedule(String expression, ZoneId zone, Misfire misfire) implements Schedule {

        private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
        private static final CronParser WITH_SECONDS = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.SPRING));

        /**
         * Parses an expression.
         *
         * @throws IllegalArgumentException saying what is wrong with it
         */
        public static ExecutionTime parse(String expression) {
            String trimmed = expression.trim();
            int fields = trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length;
            CronParser parser = switch (fields) {
                case 5 -> UNIX;
                case 6 -> WITH_SECONDS;
                default -> throw new IllegalArgumentException("must have 5 fields (minute hour day-of-month month "
                        + "day-of-week) or 6 (seconds first), has " + fields);
            };
            Cron cron = parser.parse(trimmed);
            cron.validate();
            return ExecutionTime.forCron(cron);
        }

        ExecutionTime executionTime() {
            return parse(expression);
        }
    }

    /** What happens to cron ticks missed while the host was down or the job's last run was still running. */
    enum Misfire {
        /** Dropped (counted as skipped); the job waits for its next tick. */
        SKIP,
        /** However many were missed, the job runs once, as soon as it can, for the latest missed tick. */
        FIRE_ONCE
    }

    /** The next cron tick strictly after {@code after}: an instant, so a repeated local hour never repeats a tick. */
    static Instant nextCron(ExecutionTime time, ZoneId zone, Instant after) {
        Optional<ZonedDateTime> next = time.nextExecution(after.atZone(zone));
        return next.map(ZonedDateTime::toInstant).filter(i -> i.isAfter(after)).orElseGet(() ->
                // cron-utils can answer the same instant across a fall-back hour; step past it
                time.nextExecution(after.plusSeconds(1).atZone(zone)).map(ZonedDateTime::toInstant).orElse(null));
    }
}
