package io.cages.transport.jobs.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.cages.host.spi.InboundRequest;
import io.cages.host.admin.JobInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Schedules on a fake clock: overlap and drift of timers, cron across DST changes, misfires after downtime. */
class JobRunnerTest {

    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    @TempDir
    Path work;

    private final FakeTicker ticker = new FakeTicker(T0);
    private final FakeDispatcher dispatcher = new FakeDispatcher();

    private JobRunner runner(Schedule schedule, Duration initialDelay, Duration timeout) {
        JobSpec spec = new JobSpec("billing", "sweep", "sweep", schedule, initialDelay, timeout, Map.of("kind", "daily"));
        return new JobRunner(spec, ticker, dispatcher, new LastFired(work));
    }

    @Test
    void recurringRunsEveryPeriodWithOverlapUpToItsLimitAndSkipsTicksBeyond() {
        JobRunner job = runner(new Schedule.Recurring(Duration.ofSeconds(1), 2), Duration.ZERO, null);
        job.start();
        ticker.runDue();
        ticker.advance(Duration.ofSeconds(1)); // two runs in flight: the limit
        ticker.advance(Duration.ofSeconds(1)); // a third tick while both still run: skipped
        assertEquals(List.of("sweep@2026-03-01T10:00:00Z", "sweep@2026-03-01T10:00:01Z"), dispatcher.ids());
        assertEquals(1, job.status().skipped());
        dispatcher.complete(0);
        ticker.advance(Duration.ofSeconds(1)); // one slot free again: runs, on the period, not shifted
        assertEquals("sweep@2026-03-01T10:00:03Z", dispatcher.ids().get(2));
        JobInfo s = job.status();
        assertEquals(3, s.fired());
        assertEquals(2, s.running());
        assertEquals(T0.plusSeconds(4), s.nextFire());

        InboundRequest r = dispatcher.calls.get(2).request();
        assertEquals("billing", r.cage());
        assertEquals("sweep", r.operation());
        assertEquals(Map.of("kind", "daily"), r.params());
        assertEquals("2026-03-01T10:00:03Z", r.attributes().get("job.scheduled"));
        assertEquals("2026-03-01T10:00:03Z", r.attributes().get("job.actual"));
        assertNull(r.deadline(), "no timeoutMs: the cage's own timeout applies");
    }

    @Test
    void driftingStartsTheNextRunAPeriodAfterTheLastOneEndedNeverTwoAtOnce() {
        JobRunner job = runner(new Schedule.Drifting(Duration.ofSeconds(1)), Duration.ofMillis(500), Duration.ofSeconds(3));
        job.start();
        ticker.advance(Duration.ofMillis(499));
        assertEquals(0, dispatcher.calls.size(), "first-run delay");
        ticker.advance(Duration.ofMillis(1));
        assertEquals(1, dispatcher.calls.size());
        assertNotNull(dispatcher.calls.get(0).request().deadline(), "timeoutMs gives each run its own deadline");
        ticker.advance(Duration.ofMillis(2_500)); // the run takes 2.5 s: nothing else starts meanwhile
        assertEquals(1, dispatcher.calls.size());
        assertNull(job.status().nextFire());
        dispatcher.complete(0); // ends at 10:00:03.000
        assertEquals(T0.plusSeconds(4), job.status().nextFire());
        ticker.advance(Duration.ofSeconds(1));
        assertEquals(List.of("sweep@2026-03-01T10:00:00.500Z", "sweep@2026-03-01T10:00:04Z"), dispatcher.ids());
        assertEquals(0, job.status().skipped());
    }

    @Test
    void cronInParisAcrossBothDstChanges() {
        ZoneId paris = ZoneId.of("Europe/Paris");
        // 2026-03-29 02:00 CET -> 03:00 CEST: 02:30 does not exist that day; it runs once at the end of the gap.
        assertEquals(instants("2026-03-27T01:30:00Z", "2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"),
                ticks("30 2 * * *", paris, Instant.parse("2026-03-27T00:00:00Z"), 4));
        assertEquals(instants("2026-03-29T00:30:00Z", "2026-03-29T01:00:00Z", "2026-03-29T01:30:00Z"),
                ticks("*/30 * * * *", paris, Instant.parse("2026-03-29T00:10:00Z"), 3));
        // 2026-10-25 03:00 CEST -> 02:00 CET: 02:30 happens twice; a fixed-hour job runs at the first one only,
        assertEquals(instants("2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"),
                ticks("30 2 * * *", paris, Instant.parse("2026-10-24T00:00:00Z"), 3));
        // while an every-30-minutes job keeps its real period through the repeated hour.
        assertEquals(instants("2026-10-25T00:30:00Z", "2026-10-25T01:00:00Z", "2026-10-25T01:30:00Z", "2026-10-25T02:00:00Z"),
                ticks("*/30 * * * *", paris, Instant.parse("2026-10-25T00:10:00Z"), 4));
        // six fields: seconds first; ticks on whole seconds whatever the instant the job started at
        assertEquals(instants("2026-03-01T10:00:15Z", "2026-03-01T10:00:45Z"),
                ticks("15/30 * * * * *", ZoneId.of("UTC"), T0.plusMillis(75), 2));
        assertEquals(instants("2026-03-01T10:01:00Z", "2026-03-01T10:02:00Z"),
                ticks("* * * * *", ZoneId.of("UTC"), T0.plusMillis(999), 2));
    }

    @Test
    void misfireSkipAfterTheHostWasDownForThreeTicksWaitsForTheNextTick() {
        new LastFired(work).write(cronSpec(Schedule.Misfire.SKIP), T0); // fired at 10:00, then the host went down
        ticker.advance(Duration.ofSeconds(210)); // back at 10:03:30: 10:01, 10:02, 10:03 were missed
        JobRunner job = new JobRunner(cronSpec(Schedule.Misfire.SKIP), ticker, dispatcher, new LastFired(work));
        job.start();
        ticker.runDue();
        assertEquals(0, dispatcher.calls.size());
        assertEquals(3, job.status().skipped());
        assertEquals(T0.plusSeconds(240), job.status().nextFire());
        ticker.advance(Duration.ofSeconds(30));
        assertEquals(List.of("nightly@2026-03-01T10:04:00Z"), dispatcher.ids());
        assertEquals(T0.plusSeconds(240), new LastFired(work).read(cronSpec(Schedule.Misfire.SKIP)), "persisted for the next restart");
    }

    @Test
    void misfireFireOnceAfterTheHostWasDownForThreeTicksRunsOnceForTheLatest() {
        new LastFired(work).write(cronSpec(Schedule.Misfire.FIRE_ONCE), T0);
        ticker.advance(Duration.ofSeconds(210));
        JobRunner job = new JobRunner(cronSpec(Schedule.Misfire.FIRE_ONCE), ticker, dispatcher, new LastFired(work));
        job.start();
        ticker.runDue();
        assertEquals(List.of("nightly@2026-03-01T10:03:00Z"), dispatcher.ids());
        assertEquals("2026-03-01T10:03:30Z", dispatcher.calls.get(0).request().attributes().get("job.actual"));
        dispatcher.complete(0);
        ticker.advance(Duration.ofSeconds(30));
        assertEquals(List.of("nightly@2026-03-01T10:03:00Z", "nightly@2026-03-01T10:04:00Z"), dispatcher.ids());
    }

    @Test
    void cronTicksMissedWhileTheLastRunStillRunsAreSkippedOrOwedOnce() {
        JobRunner skip = new JobRunner(cronSpec(Schedule.Misfire.SKIP), ticker, dispatcher, new LastFired(work.resolve("s")));
        skip.start();
        ticker.advance(Duration.ofSeconds(60)); // 10:01 runs, then stays busy over 10:02, 10:03, 10:04
        ticker.advance(Duration.ofSeconds(180));
        dispatcher.complete(0);
        assertEquals(1, dispatcher.calls.size());
        assertEquals(3, skip.status().skipped());
        skip.stop();

        FakeDispatcher d = new FakeDispatcher();
        JobRunner once = new JobRunner(cronSpec(Schedule.Misfire.FIRE_ONCE), ticker, d, new LastFired(work.resolve("o")));
        once.start();
        ticker.advance(Duration.ofSeconds(60)); // 10:05 runs, busy over 10:06, 10:07, 10:08
        ticker.advance(Duration.ofSeconds(190));
        d.complete(0); // at 10:08:10: one run owed, for 10:08
        assertEquals(List.of("nightly@2026-03-01T10:05:00Z", "nightly@2026-03-01T10:08:00Z"), d.ids());
        assertEquals("2026-03-01T10:08:10Z", d.calls.get(1).request().attributes().get("job.actual"));
        assertEquals(2, once.status().skipped());
    }

    @Test
    void aStoppedJobFiresNoMoreAndRunNowFiresOutsideTheSchedule() {
        JobRunner job = runner(new Schedule.Recurring(Duration.ofSeconds(1), 1), Duration.ofSeconds(10), null);
        job.start();
        job.runNow();
        assertEquals(1, dispatcher.calls.size());
        assertEquals("true", dispatcher.calls.get(0).request().attributes().get("job.manual"));
        job.stop();
        ticker.advance(Duration.ofSeconds(30));
        assertEquals(1, dispatcher.calls.size());
        assertNull(job.status().nextFire());
    }

    private static JobSpec cronSpec(Schedule.Misfire misfire) {
        return new JobSpec("billing", "nightly", "report", new Schedule.CronSchedule("* * * * *", ZoneId.of("UTC"), misfire),
                Duration.ZERO, null, Map.of());
    }

    private static List<Instant> instants(String... texts) {
        return java.util.Arrays.stream(texts).map(Instant::parse).toList();
    }

    private List<Instant> ticks(String cron, ZoneId zone, Instant from, int n) {
        FakeTicker t = new FakeTicker(from);
        FakeDispatcher d = new FakeDispatcher(r -> null);
        JobSpec spec = new JobSpec("billing", "nightly", "report", new Schedule.CronSchedule(cron, zone, Schedule.Misfire.SKIP),
                Duration.ZERO, null, Map.of());
        new JobRunner(spec, t, d, new LastFired(work)).start();
        while (d.calls.size() < n) {
            t.advance(Duration.ofMinutes(10));
        }
        return d.calls.stream().limit(n).map(c -> Instant.parse(c.request().attributes().get("job.scheduled"))).toList();
    }
}
