package io.cages.transport.jobs.internal;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
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

    /**
     * The next cron tick strictly after {@code after}, as an instant. DST, as Vixie cron does it: cron-utils
     * gives a local time repeated by a fall-back change once (its first occurrence) when the hour is fixed, and
     * both when the hour is a wildcard (an every-30-minutes job keeps its real-time period); a local time that a
     * spring-forward change skips has no tick in cron-utils, so here it runs once, at the end of the gap (the
     * instant of the change), and a daily job is not lost that day.
     */
    static Instant nextCron(ExecutionTime time, ZoneId zone, Instant after) {
        // Ticks are whole seconds: cron-utils keeps the fraction of the instant it starts from, so a host started
        // at 10:00:00.075 would tick at .075 and two hosts would not share tick instants.
        after = after.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Instant next = time.nextExecution(after.atZone(zone)).map(ZonedDateTime::toInstant).orElse(null);
        if (next != null && !next.isAfter(after)) {
            next = time.nextExecution(after.plusSeconds(1).atZone(zone)).map(ZonedDateTime::toInstant).orElse(null);
        }
        ZoneOffsetTransition change = zone.getRules().nextTransition(after);
        if (change != null && change.isGap() && (next == null || change.getInstant().isBefore(next))
                && change.getInstant().isAfter(after) && matchesInGap(time, change)) {
            return change.getInstant();
        }
        return next;
    }

    /** True when a local time skipped by {@code gap} matches the expression (checked second by second). */
    private static boolean matchesInGap(ExecutionTime time, ZoneOffsetTransition gap) {
        ZoneOffset before = gap.getOffsetBefore();
        for (LocalDateTime t = gap.getDateTimeBefore(); t.isBefore(gap.getDateTimeAfter()); t = t.plusSeconds(1)) {
            // a fixed offset keeps the skipped local time as written
            if (time.isMatch(t.atZone(before))) {
                return true;
            }
        }
        return false;
    }
}
