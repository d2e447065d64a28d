package io.cages.transport.jobs.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.cages.host.spi.HostJson;
import io.cages.host.spi.Settings;
import io.cages.host.spi.SettingsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The jobs and watched folders of one cage, read from {@code <jobsDir>/<cage>.json}:
 *
 * <pre>{"jobs": {"heartbeat": {"operation": "ping", "recurringMs": 10000, "maxOverlap": 2},
 *           "sweep":     {"operation": "sweep", "driftingMs": 60000, "initialDelayMs": 5000},
 *           "nightly":   {"operation": "report", "cron": "30 2 * * *", "zone": "Europe/Paris", "misfire": "fire-once",
 *                         "timeoutMs": 600000, "params": {"kind": "daily"}}},
 *  "folders": {"inbox": {"operation": "ingest", "path": "/var/spool/orders", "pollMs": 500, "maxAttempts": 3}}}</pre>
 *
 * Read strictly with {@link Settings}: an unknown key, a bad cron expression, an unknown time zone or a folder that
 * does not exist is an error naming the file, the key and the reason.
 */
public record JobsFile(List<JobSpec> jobs, List<FolderSpec> folders) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final Set<String> KEYS = Set.of("jobs", "folders");
    private static final Set<String> JOB_KEYS = Set.of("operation", "recurringMs", "maxOverlap", "driftingMs",
            "initialDelayMs", "cron", "zone", "misfire", "timeoutMs", "params", "onePerFlock");
    private static final Set<String> FOLDER_KEYS = Set.of("operation", "path", "pollMs", "maxAttempts", "timeoutMs");

    public JobsFile {
        jobs = List.copyOf(jobs);
        folders = List.copyOf(folders);
    }

    public static final JobsFile EMPTY = new JobsFile(List.of(), List.of());

    /**
     * Reads one cage's file.
     *
     * @throws SettingsException naming the file, the key path and what is wrong
     */
    public static JobsFile read(Path file, String cage, Function<String, String> env, boolean flockConfigured) {
        Settings s = Settings.read(file, env, KEYS);
        try {
            return read(s, cage, flockConfigured);
        } catch (SettingsException e) {
            throw e.source() == null ? e.in(file) : e;
        }
    }

    @SuppressWarnings("unchecked")
    private static JobsFile read(Settings s, String cage, boolean flockConfigured) {
        List<JobSpec> jobs = new ArrayList<>();
        Settings byName = s.map("jobs");
        for (String name : byName.names()) {
            checkName(byName, name);
            Settings j = byName.object(name, JOB_KEYS);
            String operation = required(j, "operation");
            Schedule schedule = schedule(byName, name, j);
            Duration timeout = j.has("timeoutMs") ? Duration.ofMillis(j.longValue("timeoutMs", 0, 1, Long.MAX_VALUE)) : null;
            JsonNode params = j.raw("params");
            if (params != null && !params.isObject()) {
                throw j.invalid("params", "must be a JSON object");
            }
            if (j.has("initialDelayMs") && schedule instanceof Schedule.CronSchedule) {
                throw j.problem("initialDelayMs", "applies to timers (recurringMs, driftingMs), not to cron");
            }
            boolean onePerFlock = j.flag("onePerFlock", false);
            if (onePerFlock && !flockConfigured) {
                throw j.problem("onePerFlock", "needs transports.jobs.flockSize in the host config (the number of hosts in the flock)");
            }
            jobs.add(new JobSpec(cage, name, operation, schedule,
                    Duration.ofMillis(j.longValue("initialDelayMs", 0, 0, Long.MAX_VALUE)), timeout,
                    params == null ? Map.of() : HostJson.MAPPER.convertValue(params, Map.class), onePerFlock));
        }
        List<FolderSpec> folders = new ArrayList<>();
        Settings folderByName = s.map("folders");
        for (String name : folderByName.names()) {
            checkName(folderByName, name);
            Settings f = folderByName.object(name, FOLDER_KEYS);
            String operation = required(f, "operation");
            String pathText = required(f, "path");
            Path path;
            try {
                path = Path.of(pathText).toAbsolutePath().normalize();
            } catch (InvalidPathException e) {
                throw f.problem("path", "is not a valid path: " + e.getReason());
            }
            if (!Files.isDirectory(path)) {
                throw f.problem("path", "folder " + path + " does not exist (or is not a folder)");
            }
            Duration timeout = f.has("timeoutMs") ? Duration.ofMillis(f.longValue("timeoutMs", 0, 1, Long.MAX_VALUE)) : null;
            folders.add(new FolderSpec(cage, name, operation, path,
                    Duration.ofMillis(f.longValue("pollMs", 500, 10, Long.MAX_VALUE)),
                    f.integer("maxAttempts", 3, 1, Integer.MAX_VALUE), timeout));
        }
        return new JobsFile(jobs, folders);
    }

    private static Schedule schedule(Settings byName, String name, Settings j) {
        int kinds = (j.has("recurringMs") ? 1 : 0) + (j.has("driftingMs") ? 1 : 0) + (j.has("cron") ? 1 : 0);
        if (kinds != 1) {
            throw byName.problem(name, "needs exactly one of recurringMs, driftingMs, cron; has " + kinds);
        }
        if (!j.has("recurringMs") && j.has("maxOverlap")) {
            throw j.problem("maxOverlap", "applies to recurringMs jobs only");
        }
        if (!j.has("cron") && (j.has("zone") || j.has("misfire"))) {
            throw j.problem(j.has("zone") ? "zone" : "misfire", "applies to cron jobs only");
        }
        if (j.has("recurringMs")) {
            return new Schedule.Recurring(Duration.ofMillis(j.longValue("recurringMs", 0, 1, Long.MAX_VALUE)),
                    j.integer("maxOverlap", 1, 1, Integer.MAX_VALUE));
        }
        if (j.has("driftingMs")) {
            return new Schedule.Drifting(Duration.ofMillis(j.longValue("driftingMs", 0, 1, Long.MAX_VALUE)));
        }
        String expression = j.string("cron", "");
        try {
            Schedule.CronSchedule.parse(expression);
        } catch (IllegalArgumentException e) {
            throw j.problem("cron", "is not a valid cron expression: " + e.getMessage());
        }
        ZoneId zone;
        try {
            zone = ZoneId.of(j.string("zone", "UTC"));
        } catch (DateTimeException e) {
            throw j.problem("zone", "is not a known time zone (e.g. UTC, Europe/Paris): " + e.getMessage());
        }
        Schedule.Misfire misfire = "fire-once".equals(j.choice("misfire", "skip", "skip", "fire-once"))
                ? Schedule.Misfire.FIRE_ONCE : Schedule.Misfire.SKIP;
        return new Schedule.CronSchedule(expression.trim(), zone, misfire);
    }

    private static void checkName(Settings parent, String name) {
        if (!NAME.matcher(name).matches()) {
            throw parent.problem(name, "not a valid name (letters, digits, '.', '_', '-'; at most 63)");
        }
    }

    private static String required(Settings s, String key) {
        String value = s.string(key, null);
        if (value == null || value.isBlank()) {
            throw s.problem(key, "is required");
        }
        return value;
    }
}
