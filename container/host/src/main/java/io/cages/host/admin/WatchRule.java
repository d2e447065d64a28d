package io.cages.host.admin;

import java.util.Locale;
import java.util.Map;

/**
 * How a guarded deploy judges the new version during its watch window, against the old version's baseline
 * (the cage's requests on this host over the minute before the swap).
 *
 * <p>The new version fails when, with at least {@code minRequests} requests answered in the window, its error
 * rate is more than {@code maxErrorRateIncrease} percentage points above the baseline's, or its p99 is both
 * above {@code p99FloorMs} and more than {@code maxP99Ratio} times the baseline's p99 (the p99 rule needs a
 * baseline of at least {@code minRequests} too). With fewer requests than that the cage is judged on its
 * self-test only.
 *
 * @param watchMs              how long to watch the new version; 0: no watch (a plain deploy)
 * @param maxErrorRateIncrease percentage points the error rate may rise (5.0: 0.1% before, up to 5.1% after)
 * @param maxP99Ratio          how many times the baseline's p99 the new p99 may be
 * @param p99FloorMs           a p99 at or under this is never a failure (1 ms -> 3 ms is not one)
 * @param minRequests          requests the new version must answer in the window to be judged on them
 */
public record WatchRule(long watchMs, double maxErrorRateIncrease, double maxP99Ratio, double p99FloorMs, int minRequests) {

    public static final double DEFAULT_MAX_ERROR_RATE_INCREASE = 5.0;
    public static final double DEFAULT_MAX_P99_RATIO = 2.0;
    public static final double DEFAULT_P99_FLOOR_MS = 50.0;
    public static final int DEFAULT_MIN_REQUESTS = 20;

    public WatchRule {
        if (watchMs < 0 || maxErrorRateIncrease < 0 || maxP99Ratio < 1 || p99FloorMs < 0 || minRequests < 1) {
            throw new IllegalArgumentException("watch rule out of range: watch >= 0, maxErrorRate >= 0, maxP99Ratio >= 1,"
                    + " p99FloorMs >= 0, minRequests >= 1");
        }
    }

    /** The defaults with a watch of {@code watchMs}. */
    public static WatchRule watching(long watchMs) {
        return new WatchRule(watchMs, DEFAULT_MAX_ERROR_RATE_INCREASE, DEFAULT_MAX_P99_RATIO, DEFAULT_P99_FLOOR_MS, DEFAULT_MIN_REQUESTS);
    }

    /**
     * Reads a rule from query parameters {@code watch} (e.g. {@code 30s}, {@code 500ms}, {@code 2m}),
     * {@code maxErrorRate} (points), {@code maxP99Ratio}, {@code p99FloorMs} and {@code minRequests}; absent ones
     * take the defaults. Null when there is no {@code watch} parameter.
     *
     * @throws IllegalArgumentException with a message fit for the caller when a value is malformed
     */
    public static WatchRule fromParameters(Map<String, String> parameters) {
        String watch = parameters.get("watch");
        if (watch == null || watch.isBlank()) {
            return null;
        }
        return new WatchRule(durationMs(watch),
                number(parameters, "maxErrorRate", DEFAULT_MAX_ERROR_RATE_INCREASE),
                number(parameters, "maxP99Ratio", DEFAULT_MAX_P99_RATIO),
                number(parameters, "p99FloorMs", DEFAULT_P99_FLOOR_MS),
                (int) number(parameters, "minRequests", DEFAULT_MIN_REQUESTS));
    }

    /** {@code 30s}, {@code 500ms}, {@code 2m} or a bare number of seconds, in milliseconds. */
    public static long durationMs(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Long.parseLong(t.substring(0, t.length() - 2).trim());
            }
            if (t.endsWith("s")) {
                return Math.round(Double.parseDouble(t.substring(0, t.length() - 1).trim()) * 1000);
            }
            if (t.endsWith("m")) {
                return Math.round(Double.parseDouble(t.substring(0, t.length() - 1).trim()) * 60_000);
            }
            return Math.round(Double.parseDouble(t) * 1000);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("watch must be a duration such as 30s, 500ms or 2m, not '" + text + "'");
        }
    }

    private static double number(Map<String, String> parameters, String name, double otherwise) {
        String value = parameters.get(name);
        if (value == null || value.isBlank()) {
            return otherwise;
        }
        try {
            return Double.parseDouble(value.trim().replace("%", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, not '" + value + "'");
        }
    }
}
