package io.cages.host.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cages.api.CageException;
import io.cages.api.ErrorCode;
import io.cages.host.admin.DeployRecord;
import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.Reply;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The console's history on a clock the test moves: slots, rings, quantiles, errors by code, swaps, totals. */
class MetricsHistoryTest {

    /** A minute boundary, so the 10 s and 60 s slots line up with the test's steps. */
    private static final long T0 = 1_800_000_000L * 1000 / 60_000 * 60_000;

    private final AtomicLong now = new AtomicLong(T0);
    private final MetricsHistory history = new MetricsHistory(now::get);

    private static InboundRequest request(String cage, String operation) {
        return new InboundRequest("r", cage, operation, null, null, null, null, "http:1.2.3.4:5", null);
    }

    private static final CompletableFuture<Reply> OK = CompletableFuture.completedFuture(null);

    private static CompletableFuture<Reply> failed(ErrorCode code) {
        return CompletableFuture.failedFuture(new CageException(code, "no"));
    }

    private void answer(String cage, String operation, CompletableFuture<Reply> result, long millis) {
        // as the metrics report a request to the history: its series, and its outcome as an error code (null: ok)
        String outcome = HostMetrics.outcome(result);
        history.answered(history.series(cage, operation), HostMetrics.OK.equals(outcome) ? null : MetricsHistory.codeOf(outcome),
                TimeUnit.MILLISECONDS.toNanos(millis));
    }

    @Test
    void slotsOfTheMinuteWindowCountRequestsErrorsAndLatencies() {
        for (int i = 0; i < 98; i++) {
            answer("hello", "greet", OK, 10);
        }
        answer("hello", "greet", failed(ErrorCode.BAD_REQUEST), 1000);
        history.refused(request("hello", "greet"), true, ErrorCode.UNAVAILABLE);
        now.addAndGet(10_000);
        answer("hello", "greet", OK, 2);

        JsonNode view = history.view("hello", "greet", MetricsHistory.Window.MINUTE);
        assertEquals(6, view.get("times").size(), "six slots of 10 s");
        assertEquals(10, view.get("slotSeconds").asInt());
        assertEquals(T0 / 1000 + 10, view.get("times").get(5).asLong(), "the newest slot last");
        assertEquals(100, view.get("requests").get(4).asInt());
        assertEquals(1, view.get("requests").get(5).asInt());
        assertEquals(0, view.get("requests").get(3).asInt());
        assertEquals(10.0, view.get("rate").get(4).asDouble(), "100 requests in 10 s");
        assertEquals(2, view.get("errors").get(4).asInt());
        assertEquals(1, view.get("errorsByCode").get("bad_request").get(4).asInt());
        assertEquals(1, view.get("errorsByCode").get("unavailable").get(4).asInt());
        assertEquals(2, view.get("errorsByCode").size(), "only codes that happened");
        double p50 = view.get("p50Ms").get(4).asDouble();
        double p99 = view.get("p99Ms").get(4).asDouble();
        assertTrue(p50 >= 8 && p50 <= 12.5, "p50 near 10 ms: " + p50);
        assertTrue(p99 >= 800 && p99 <= 1100, "p99 of 99 timed (98 at 10 ms, 1 at 1 s) is the slowest (nearest rank 99): " + p99);
        now.addAndGet(10_000);
        for (int i = 0; i < 199; i++) {
            answer("hello", "greet", OK, 10);
        }
        answer("hello", "greet", OK, 1000);
        double p99of200 = history.view("hello", "greet", MetricsHistory.Window.MINUTE).get("p99Ms").get(5).asDouble();
        assertTrue(p99of200 >= 8 && p99of200 <= 12.5, "one slow request in 200 is above the p99: " + p99of200);
        now.addAndGet(-10_000);
        assertTrue(view.get("p50Ms").get(3).isNull(), "no requests, no latency");
    }

    @Test
    void theHourWindowKeepsSixtyMinutesAndForgetsOlderOnes() {
        answer("hello", "greet", OK, 5);
        now.addAndGet(60_000);
        answer("hello", "greet", OK, 5);
        answer("hello", "greet", OK, 5);
        JsonNode hour = history.view("hello", null, MetricsHistory.Window.HOUR);
        assertEquals(60, hour.get("times").size());
        assertEquals(1, hour.get("requests").get(58).asInt());
        assertEquals(2, hour.get("requests").get(59).asInt());

        now.addAndGet(59 * 60_000L); // the first minute is now out of the window; its ring slot comes round again
        answer("hello", "greet", OK, 5);
        hour = history.view("hello", null, MetricsHistory.Window.HOUR);
        assertEquals(2, hour.get("requests").get(0).asInt(), "the second minute is the oldest kept");
        assertEquals(1, hour.get("requests").get(59).asInt(), "the reused slot starts from nothing");
        long total = 0;
        for (JsonNode n : hour.get("requests")) {
            total += n.asLong();
        }
        assertEquals(3, total);
        assertEquals(0, history.view("hello", null, MetricsHistory.Window.MINUTE).get("requests").get(4).asInt(),
                "the minute window is only the last minute");
    }

    @Test
    void cageAndHostTotalsAddTheirOperations() {
        answer("hello", "greet", OK, 1);
        answer("hello", "wave", OK, 1);
        answer("other", "x", failed(ErrorCode.INTERNAL), 1);
        assertEquals(2, history.view("hello", null, MetricsHistory.Window.MINUTE).get("requests").get(5).asInt());
        assertEquals(3, history.view(null, null, MetricsHistory.Window.MINUTE).get("requests").get(5).asInt());
        assertEquals(1, history.view(null, null, MetricsHistory.Window.MINUTE).get("errorsByCode").get("internal").get(5).asInt());
        JsonNode series = history.series();
        assertEquals("[\"greet\",\"wave\"]", series.get("hello").toString());
        assertEquals("[\"x\"]", series.get("other").toString());
    }

    @Test
    void unknownCagesAreNotKeptAndOperationsAreBounded() {
        history.refused(request("nosuch", "op"), false, ErrorCode.NOT_FOUND);
        assertTrue(history.series().isEmpty(), "a name from the caller that is no cage makes no series");
        for (int i = 0; i < MetricsHistory.MAX_SERIES + 50; i++) {
            answer("hello", "op" + i, OK, 1);
        }
        assertEquals(MetricsHistory.MAX_SERIES + 1, history.series().get("hello").size(), "the rest count under _other");
        assertEquals(MetricsHistory.MAX_SERIES + 50, history.view("hello", null, MetricsHistory.Window.MINUTE).get("requests").get(5).asInt());
    }

    @Test
    void swapsOfTheWindowAreMarkersOfTheirCage() {
        history.deployed(new DeployRecord(1, Instant.ofEpochMilli(T0 - 120_000), "DEPLOY", "hello", "1.0.0", null, "test",
                DeployRecord.Outcome.ACTIVE, null, 30));
        history.deployed(new DeployRecord(2, Instant.ofEpochMilli(T0 - 5_000), "UPDATE", "hello", "2.0.0", "1.0.0", "test",
                DeployRecord.Outcome.FAILED, "self-test failed", 40));
        history.deployed(new DeployRecord(3, Instant.ofEpochMilli(T0 - 4_000), "DEPLOY", "other", "1.0.0", null, "test",
                DeployRecord.Outcome.ACTIVE, null, 20));
        JsonNode minute = history.view("hello", null, MetricsHistory.Window.MINUTE);
        assertEquals(1, minute.get("swaps").size(), "the deploy two minutes ago is outside the last minute; other's is another cage");
        JsonNode swap = minute.get("swaps").get(0);
        assertEquals("1.0.0", swap.get("from").asText());
        assertEquals("2.0.0", swap.get("to").asText());
        assertEquals(false, swap.get("ok").asBoolean());
        assertEquals("self-test failed", swap.get("reason").asText());
        assertEquals((T0 - 5_000) / 1000.0, swap.get("at").asDouble());
        assertEquals(3, history.view(null, null, MetricsHistory.Window.HOUR).get("swaps").size());
    }

    @Test
    void windowNamesAreCheckedWithTheChoicesNamed() {
        assertEquals(MetricsHistory.Window.MINUTE, MetricsHistory.Window.parse(null));
        assertEquals(MetricsHistory.Window.HOUR, MetricsHistory.Window.parse("hour"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MetricsHistory.Window.parse("day"));
        assertEquals("window must be 'minute' (last minute per 10 s) or 'hour' (last hour per minute), not 'day'", e.getMessage());
    }

    @Test
    void latencyBucketsCoverEveryValueInOrder() {
        long previous = -1;
        for (long micros : new long[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 100, 1000, 10_000, 1_000_000, 60_000_000}) {
            int b = MetricsHistory.Slot.bucket(micros);
            assertTrue(b >= previous, "buckets grow with the value");
            assertTrue(MetricsHistory.Slot.lower(b) <= micros && micros < MetricsHistory.Slot.lower(b + 1),
                    micros + " us is in [" + MetricsHistory.Slot.lower(b) + ", " + MetricsHistory.Slot.lower(b + 1) + ")");
            previous = b;
        }
    }
}
