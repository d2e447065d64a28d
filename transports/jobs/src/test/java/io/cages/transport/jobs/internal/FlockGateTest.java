package io.cages.transport.jobs.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.host.admin.FlockMember;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One host per tick, on a fake clock: three hosts run a per-second cron job declared onePerFlock while the firer
 * is killed, comes back, and is cut off, each host learning of each change at its own time. Over 120 ticks no tick
 * fires twice, and no gap between fired ticks is longer than detection plus handover.
 */
class FlockGateTest {

    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final Duration HANDOVER = Duration.ofSeconds(3);

    @TempDir
    Path work;

    private final FakeTicker ticker = new FakeTicker(T0);

    private static FlockMember member(String name, String self) {
        return new FlockMember(name, name + ":1", List.of("billing@1.0.0"), 0, 0, name.equals(self));
    }

    /** What host {@code self} sees at second {@code t}: the scenario, with each host's own detection delay. */
    private static List<FlockMember> view(String self, double t) {
        Set<String> seen;
        if (self.equals("a")) {
            if (t < 30) {
                seen = Set.of("a", "b", "c");
            } else if (t < 45) {
                seen = Set.of(); // dead
            } else if (t < 71.2) {
                seen = Set.of("a", "b", "c"); // restarted, sees everyone at once
            } else {
                seen = Set.of("a"); // cut off at 70, notices at 71.2
            }
        } else {
            double noticesKill = self.equals("b") ? 31.2 : 31.7;
            double noticesReturn = self.equals("b") ? 45.5 : 45.2;
            double noticesCut = self.equals("b") ? 70.9 : 71.7; // b notices the cut before a does
            if (t < noticesKill || (t >= noticesReturn && t < noticesCut)) {
                seen = Set.of("a", "b", "c");
            } else {
                seen = Set.of("b", "c");
            }
        }
        return seen.stream().sorted().map(n -> member(n, self)).toList();
    }

    @Test
    void eachTickFiresOnOneHostAtMostThroughKillReturnAndCut() {
        Map<String, FakeDispatcher> dispatchers = new TreeMap<>();
        Map<String, JobRunner> runners = new TreeMap<>();
        Function<String, JobRunner> start = host -> {
            FakeDispatcher d = dispatchers.computeIfAbsent(host, h -> new FakeDispatcher(r -> null));
            FlockGate gate = new FlockGate(() -> view(host, seconds()), 3, HANDOVER);
            JobSpec spec = new JobSpec("billing", "tick", "tick", new Schedule.CronSchedule("* * * * * *", ZoneId.of("UTC"),
                    Schedule.Misfire.SKIP), Duration.ZERO, null, Map.of(), true);
            JobRunner runner = new JobRunner(spec, ticker, d, new LastFired(work.resolve(host)), gate);
            runner.start();
            return runner;
        };
        for (String host : List.of("a", "b", "c")) {
            runners.put(host, start.apply(host));
        }
        ticker.advance(Duration.ofSeconds(30));
        runners.get("a").stop(); // kill -9
        ticker.advance(Duration.ofSeconds(15));
        runners.put("a", start.apply("a")); // back at 45 s
        ticker.advance(Duration.ofSeconds(75)); // to 120 s, through the cut at 70 s

        Map<Instant, List<String>> firedBy = new TreeMap<>();
        dispatchers.forEach((host, d) -> d.calls.forEach(c ->
                firedBy.computeIfAbsent(Instant.parse(c.request().attributes().get("job.scheduled")), k -> new ArrayList<>()).add(host)));
        List<String> twice = firedBy.entrySet().stream().filter(e -> e.getValue().size() > 1).map(Object::toString).toList();
        assertEquals(List.of(), twice, "ticks fired on more than one host");

        List<Instant> ticks = new ArrayList<>(firedBy.keySet());
        long longestGap = 0;
        for (int i = 1; i < ticks.size(); i++) {
            longestGap = Math.max(longestGap, Duration.between(ticks.get(i - 1), ticks.get(i)).toMillis());
        }
        System.out.println("fired " + ticks.size() + " of 120 ticks; by host: " + dispatchers.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue().calls.size()).toList() + "; longest gap " + longestGap + " ms");
        // the longest wait: a fired 29 s and died at 30 s, b noticed at 31.2 s, took its turn at its next look
        // (the 32 s tick; the transport also looks every pollMs) and fired after the handover, from 35 s:
        // one period + the slowest detection (1.7 s) + one look + the handover
        assertTrue(longestGap <= 1_000 + 1_700 + 1_000 + HANDOVER.toMillis(), "longest gap " + longestGap + " ms");
        assertEquals(List.of("a", "b", "c"), List.copyOf(dispatchers.keySet()));
        assertTrue(dispatchers.get("c").calls.isEmpty(), "c never had the smallest name among those it saw");
        assertTrue(runners.get("b").status().notHere() > 0);
    }

    @Test
    void aHostInNoFlockOrWithoutAMajorityNeverFires() {
        FlockGate alone = new FlockGate(List::of, 3, Duration.ZERO);
        assertEquals(FlockGate.Verdict.NO_FLOCK_MAJORITY, alone.ask("billing", T0));
        FlockGate minority = new FlockGate(() -> List.of(member("a", "a")), 3, Duration.ZERO);
        assertEquals(FlockGate.Verdict.NO_FLOCK_MAJORITY, minority.ask("billing", T0));
        FlockGate half = new FlockGate(() -> List.of(member("a", "a"), member("b", "a")), 4, Duration.ZERO);
        assertEquals(FlockGate.Verdict.NO_FLOCK_MAJORITY, half.ask("billing", T0), "two of four is no majority");
        FlockGate notRunningIt = new FlockGate(() -> List.of(new FlockMember("a", "a:1", List.of(), 0, 0, true),
                member("b", "a")), 3, Duration.ZERO);
        assertEquals(FlockGate.Verdict.ANOTHER_HOST, notRunningIt.ask("billing", T0));
    }

    private double seconds() {
        return Duration.between(T0, ticker.now()).toMillis() / 1000.0;
    }
}
