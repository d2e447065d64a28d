package io.cages.host.internal;

import io.cages.host.admin.Rollout.Sample;
import io.cages.host.admin.WatchRule;
import java.util.Locale;

/**
 * The threshold rule of a guarded deploy: does the new version's sample cross the rule against the baseline?
 * Pure, so it is tested on its own (RolloutJudgeTest).
 */
final class RolloutJudge {

    /** A verdict: failed or not, and the sentence the history and the console show. */
    record Verdict(boolean failed, String reason) {
    }

    private RolloutJudge() {
    }

    /**
     * Judges {@code observed} (the new version over the watch so far) against {@code baseline} (the old version's
     * last minute). Null when there is no verdict yet: too few requests to judge on (the final call, with
     * {@code windowOver}, then passes: an idle cage is judged on its self-test only).
     */
    static Verdict judge(WatchRule rule, Sample baseline, Sample observed, boolean windowOver) {
        if (observed.requests() < rule.minRequests()) {
            return windowOver ? new Verdict(false, String.format(Locale.ROOT,
                    "passed: %d requests in %s, under the minimum of %d to judge on; judged on its self-test only",
                    observed.requests(), seconds(observed.seconds()), rule.minRequests())) : null;
        }
        double before = baseline.errorRatePercent();
        double after = observed.errorRatePercent();
        if (after > before + rule.maxErrorRateIncrease()) {
            return new Verdict(true, String.format(Locale.ROOT,
                    "rolled back: error rate %.1f%% (%d of %d) over %s vs %s (threshold +%s points)",
                    after, observed.errors(), observed.requests(), seconds(observed.seconds()),
                    baseline.requests() == 0 ? "no requests before to compare with, taken as 0%"
                            : String.format(Locale.ROOT, "%.1f%% before", before), plain(rule.maxErrorRateIncrease())));
        }
        boolean baselineTimed = baseline.requests() >= rule.minRequests() && baseline.p99Ms() != null;
        Double p99 = observed.p99Ms();
        if (baselineTimed && p99 != null && p99 > rule.p99FloorMs() && p99 > baseline.p99Ms() * rule.maxP99Ratio()) {
            return new Verdict(true, String.format(Locale.ROOT,
                    "rolled back: p99 %s ms over %s vs %s ms before (threshold %sx, floor %s ms)",
                    plain(p99), seconds(observed.seconds()), plain(baseline.p99Ms()), plain(rule.maxP99Ratio()), plain(rule.p99FloorMs())));
        }
        if (!windowOver) {
            return null;
        }
        return new Verdict(false, String.format(Locale.ROOT,
                "passed: error rate %.1f%% over %s vs %.1f%% before, p99 %s ms vs %s ms before (%d requests)",
                after, seconds(observed.seconds()), before, p99 == null ? "-" : plain(p99),
                baseline.p99Ms() == null ? "-" : plain(baseline.p99Ms()), observed.requests()));
    }

    private static String seconds(double s) {
        return plain(Math.round(s * 10) / 10.0) + " s";
    }

    /** 5.0 as "5", 2.5 as "2.5". */
    private static String plain(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : String.format(Locale.ROOT, "%s", Math.round(d * 1000) / 1000.0);
    }
}
