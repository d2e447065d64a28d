package io.cages.host.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.host.admin.Rollout.Sample;
import io.cages.host.admin.WatchRule;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The threshold rule of guarded deploys: error rate, p99 ratio, the p99 floor and the minimum request count. */
class RolloutJudgeTest {

    private static final WatchRule RULE = WatchRule.watching(30_000); // +5 points, 2x p99, floor 50 ms, 20 requests

    private static Sample sample(long requests, long errors, Double p99Ms) {
        return new Sample(requests, errors, p99Ms, 30);
    }

    @Test
    void anErrorRateRisingPastTheThresholdFailsWithTheNumbersInTheReason() {
        RolloutJudge.Verdict v = RolloutJudge.judge(RULE, sample(1000, 1, 5.0), sample(100, 34, 5.0), false);
        assertTrue(v.failed());
        assertEquals("rolled back: error rate 34.0% (34 of 100) over 30 s vs 0.1% before (threshold +5 points)", v.reason());
    }

    @Test
    void anErrorRateWithinTheThresholdPassesAtTheEndOfTheWindowOnly() {
        Sample base = sample(1000, 10, 5.0); // 1%
        Sample after = sample(100, 6, 5.0);  // 6%: +5 points exactly is still within
        assertNull(RolloutJudge.judge(RULE, base, after, false), "no verdict before the window is over");
        RolloutJudge.Verdict v = RolloutJudge.judge(RULE, base, after, true);
        assertFalse(v.failed());
        assertTrue(v.reason().startsWith("passed: error rate 6.0% over 30 s vs 1.0% before"), v.reason());
        assertTrue(RolloutJudge.judge(RULE, base, sample(100, 7, 5.0), false).failed(), "7% is past 1% + 5 points");
    }

    @Test
    void errorsWithoutABaselineAreJudgedAgainstZero() {
        RolloutJudge.Verdict v = RolloutJudge.judge(RULE, Sample.NONE, sample(40, 4, null), false);
        assertTrue(v.failed(), "10% > 0% + 5");
        assertEquals("rolled back: error rate 10.0% (4 of 40) over 30 s vs no requests before to compare with, taken as 0%"
                + " (threshold +5 points)", v.reason());
        assertFalse(RolloutJudge.judge(RULE, Sample.NONE, sample(40, 2, null), true).failed(), "5% is within");
    }

    @Test
    void aP99PastTheRatioAndTheFloorFails() {
        RolloutJudge.Verdict v = RolloutJudge.judge(RULE, sample(1000, 0, 40.0), sample(100, 0, 120.0), false);
        assertTrue(v.failed());
        assertEquals("rolled back: p99 120 ms over 30 s vs 40 ms before (threshold 2x, floor 50 ms)", v.reason());
        assertFalse(RolloutJudge.judge(RULE, sample(1000, 0, 40.0), sample(100, 0, 80.0), true).failed(), "exactly 2x is within");
    }

    @Test
    void aP99UnderTheFloorNeverFailsHoweverLargeTheRatio() {
        RolloutJudge.Verdict v = RolloutJudge.judge(RULE, sample(1000, 0, 1.0), sample(100, 0, 3.0), true);
        assertFalse(v.failed(), "1 ms -> 3 ms is not a failure");
        assertFalse(RolloutJudge.judge(RULE, sample(1000, 0, 1.0), sample(100, 0, 50.0), true).failed(), "at the floor");
        assertTrue(RolloutJudge.judge(RULE, sample(1000, 0, 1.0), sample(100, 0, 51.0), true).failed(), "over the floor and 2x");
    }

    @Test
    void aP99IsNotComparedWithATooSmallBaseline() {
        assertFalse(RolloutJudge.judge(RULE, sample(5, 0, 1.0), sample(100, 0, 500.0), true).failed(),
                "5 requests before are no p99 to compare with");
    }

    @Test
    void tooFewRequestsAreJudgedOnTheSelfTestOnly() {
        Sample failingButIdle = sample(19, 19, 900.0);
        assertNull(RolloutJudge.judge(RULE, sample(1000, 0, 1.0), failingButIdle, false));
        RolloutJudge.Verdict v = RolloutJudge.judge(RULE, sample(1000, 0, 1.0), failingButIdle, true);
        assertFalse(v.failed());
        assertEquals("passed: 19 requests in 30 s, under the minimum of 20 to judge on; judged on its self-test only", v.reason());
        assertTrue(RolloutJudge.judge(RULE, sample(1000, 0, 1.0), sample(20, 20, 900.0), false).failed(), "20 are enough");
    }

    @Test
    void theRuleReadsItsQueryParametersWithDefaults() {
        assertNull(WatchRule.fromParameters(Map.of()));
        assertEquals(WatchRule.watching(30_000), WatchRule.fromParameters(Map.of("watch", "30s")));
        assertEquals(new WatchRule(500, 1.5, 3, 10, 5), WatchRule.fromParameters(Map.of("watch", "500ms",
                "maxErrorRate", "1.5", "maxP99Ratio", "3", "p99FloorMs", "10", "minRequests", "5")));
        assertEquals(120_000, WatchRule.durationMs("2m"));
        IllegalArgumentException bad = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> WatchRule.fromParameters(Map.of("watch", "soon")));
        assertEquals("watch must be a duration such as 30s, 500ms or 2m, not 'soon'", bad.getMessage());
    }
}
