package io.cages.host.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cages.api.ErrorCode;
import io.cages.host.admin.DeployRecord;
import io.cages.host.spi.InboundRequest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The console's short history: per cage and operation, the last hour per minute and the last minute per 10 s,
 * in fixed rings (requests, errors by code, a latency histogram for p50/p99), the per-cage in-flight and queued
 * counts sampled into the same slots, and the last swaps as markers. Fed by the metrics ({@link HostMetrics},
 * through the series each of their meter sets keeps) and built with them, so a host with metrics off keeps none.
 *
 * <p>Memory is bounded: a series is two small rings whose slots are allocated on first use, and at most
 * {@value #MAX_SERIES} series exist (operation names come from callers; later ones count under {@code _other}).
 * Cage and host totals are merged from the series when asked, so a request updates one series.
 */
final class MetricsHistory {

    static final int MAX_SERIES = 200;
    static final int MAX_SWAPS = 200;
    static final String OTHER = "_other";

    /** The two windows: the slot width and how many slots the ring keeps. */
    enum Window {
        MINUTE(10_000, 6), HOUR(60_000, 60);

        final long slotMs;
        final int slots;

        Window(long slotMs, int slots) {
            this.slotMs = slotMs;
            this.slots = slots;
        }

        static Window parse(String name) {
            if (name == null || name.isEmpty() || name.equalsIgnoreCase("minute")) {
                return MINUTE;
            }
            if (name.equalsIgnoreCase("hour")) {
                return HOUR;
            }
            throw new IllegalArgumentException("window must be 'minute' (last minute per 10 s) or 'hour' (last hour per minute), not '" + name + "'");
        }
    }

    private static final ErrorCode[] CODES = ErrorCode.values();

    private final LongSupplier clock;
    private final ConcurrentHashMap<SeriesKey, Series> series = new ConcurrentHashMap<>();
    /** In flight and queued per cage (the admission gate is per cage), sampled by {@link #sample}. */
    private final ConcurrentHashMap<String, Series> gauges = new ConcurrentHashMap<>();
    // CONCURRENCY: guarded by itself.
    private final ArrayDeque<DeployRecord> swaps = new ArrayDeque<>();

    MetricsHistory(LongSupplier clockMillis) {
        this.clock = clockMillis;
    }

    // --- request path ---

    /** A request answered without running (see {@link RequestEvents#refused}); the metrics pass theirs on. */
    void refused(InboundRequest in, boolean cageKnown, ErrorCode code) {
        if (cageKnown) {
            seriesOf(in.cage(), in.operation()).answered(clock.getAsLong(), code, -1);
        }
    }

    /**
     * The series of {@code cage} and {@code operation}, for a caller that keeps it and reports each request to it
     * with {@link #answered} (the metrics do, beside their own meters: one look-up per request for both).
     */
    Series series(String cage, String operation) {
        return seriesOf(cage, operation);
    }

    /** A request of {@code series} was answered, with {@code error} (null: ok) after {@code tookNanos}. */
    void answered(Series series, ErrorCode error, long tookNanos) {
        series.answered(clock.getAsLong(), error, tookNanos);
    }

    static ErrorCode codeOf(String outcome) {
        for (ErrorCode c : CODES) {
            if (HostMetrics.outcome(c).equals(outcome)) {
                return c;
            }
        }
        return ErrorCode.INTERNAL;
    }

    private Series seriesOf(String cage, String operation) {
        SeriesKey key = new SeriesKey(cage, operation);
        Series s = series.get(key);
        if (s == null) {
            if (series.size() >= MAX_SERIES) {
                key = new SeriesKey(cage, OTHER);
            }
            s = series.computeIfAbsent(key, k -> new Series());
        }
        return s;
    }

    // --- gauges and swaps ---

    /** Records each cage's running and queued requests now (called every few seconds). */
    void sample(CageRegistry registry) {
        long now = clock.getAsLong();
        for (CageSlot slot : registry.all()) {
            gauges.computeIfAbsent(slot.name(), k -> new Series()).sampled(now, slot.gate().running(), slot.gate().queued());
        }
    }

    /** A deploy, update or undeploy attempt finished: a marker on the charts. */
    void deployed(DeployRecord record) {
        synchronized (swaps) {
            if (swaps.size() == MAX_SWAPS) {
                swaps.removeFirst();
            }
            swaps.addLast(record);
        }
    }

    // --- reading ---

    /**
     * One window of one cage and operation as columns for a chart: slot start times (epoch seconds, oldest first)
     * and per slot the requests, rate per second, p50/p99 in ms (null without requests), errors by code, max in
     * flight and queued (the cage's), and the swaps of the window.
     *
     * @param cage      a cage, or null/empty for the whole host
     * @param operation an operation of that cage, or null/empty for all of them
     */
    ObjectNode view(String cage, String operation, Window window) {
        boolean anyCage = cage == null || cage.isEmpty();
        boolean anyOperation = operation == null || operation.isEmpty();
        long now = clock.getAsLong();
        long current = now / window.slotMs;
        long first = current - window.slots + 1;
        Slot[] merged = new Slot[window.slots];
        for (int i = 0; i < merged.length; i++) {
            merged[i] = new Slot();
        }
        for (Map.Entry<SeriesKey, Series> e : series.entrySet()) {
            if ((anyCage || e.getKey().cage.equals(cage)) && (anyOperation || e.getKey().operation.equals(operation))) {
                e.getValue().addTo(window, first, merged);
            }
        }
        for (Map.Entry<String, Series> e : gauges.entrySet()) {
            if (anyCage || e.getKey().equals(cage)) {
                e.getValue().addTo(window, first, merged);
            }
        }
        JsonNodeFactory json = JsonNodeFactory.instance;
        ObjectNode out = json.objectNode();
        out.put("cage", anyCage ? null : cage);
        out.put("operation", anyOperation ? null : operation);
        out.put("window", window.name().toLowerCase(java.util.Locale.ROOT));
        out.put("slotSeconds", window.slotMs / 1000);
        out.put("now", now);
        ArrayNode times = out.putArray("times");
        ArrayNode requests = out.putArray("requests");
        ArrayNode rate = out.putArray("rate");
        ArrayNode p50 = out.putArray("p50Ms");
        ArrayNode p99 = out.putArray("p99Ms");
        ArrayNode errors = out.putArray("errors");
        ArrayNode running = out.putArray("inFlight");
        ArrayNode queued = out.putArray("queued");
        ObjectNode byCode = json.objectNode();
        for (int i = 0; i < merged.length; i++) {
            Slot s = merged[i];
            long start = (first + i) * window.slotMs;
            times.add(start / 1000);
            requests.add(s.requests);
            // The current slot has only run since its start: its rate is over the time it has had.
            long elapsed = i == merged.length - 1 ? Math.max(1000, now - start) : window.slotMs;
            rate.add(Math.round(s.requests * 1000_000.0 / elapsed) / 1000.0);
            p50.add(s.quantileMs(0.50));
            p99.add(s.quantileMs(0.99));
            int errorCount = 0;
            for (int c = 0; c < CODES.length; c++) {
                errorCount += s.errors[c];
            }
            errors.add(errorCount);
            running.add(s.maxRunning);
            queued.add(s.maxQueued);
        }
        for (int c = 0; c < CODES.length; c++) {
            ArrayNode column = null;
            for (int i = 0; i < merged.length; i++) {
                if (merged[i].errors[c] != 0) {
                    column = json.arrayNode();
                    break;
                }
            }
            if (column != null) {
                for (Slot s : merged) {
                    column.add(s.errors[c]);
                }
                byCode.set(HostMetrics.outcome(CODES[c]), column);
            }
        }
        out.set("errorsByCode", byCode);
        ArrayNode marks = out.putArray("swaps");
        long from = first * window.slotMs;
        for (DeployRecord r : swapsSince(from)) {
            if (anyCage || cage.equals(r.cage())) {
                ObjectNode m = marks.addObject();
                m.put("at", r.at().toEpochMilli() / 1000.0);
                m.put("cage", r.cage());
                m.put("action", r.action());
                m.put("from", r.previous());
                m.put("to", r.version());
                m.put("ok", r.succeeded());
                m.put("reason", r.reason());
            }
        }
        return out;
    }

    /**
     * A cage's requests over the last minute (all its operations and versions), for a guarded deploy's baseline:
     * taken just before the swap, when only the old version serves.
     */
    io.cages.host.admin.Rollout.Sample lastMinuteOf(String cage) {
        long now = clock.getAsLong();
        long first = now / Window.MINUTE.slotMs - Window.MINUTE.slots + 1;
        Slot[] merged = new Slot[Window.MINUTE.slots];
        for (int i = 0; i < merged.length; i++) {
            merged[i] = new Slot();
        }
        for (Map.Entry<SeriesKey, Series> e : series.entrySet()) {
            if (e.getKey().cage.equals(cage)) {
                e.getValue().addTo(Window.MINUTE, first, merged);
            }
        }
        Slot total = new Slot();
        for (Slot s : merged) {
            total.add(s);
        }
        int errors = 0;
        for (int e : total.errors) {
            errors += e;
        }
        double seconds = (now - first * Window.MINUTE.slotMs) / 1000.0;
        return new io.cages.host.admin.Rollout.Sample(total.requests, errors, total.quantileMs(0.99), seconds);
    }

    /** The cages and operations that have a history, for the console's pickers. */
    ObjectNode series() {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        List<SeriesKey> keys = new ArrayList<>(series.keySet());
        keys.sort(java.util.Comparator.comparing((SeriesKey k) -> k.cage).thenComparing(k -> k.operation));
        for (SeriesKey k : keys) {
            ArrayNode ops = out.has(k.cage) ? (ArrayNode) out.get(k.cage) : out.putArray(k.cage);
            ops.add(k.operation);
        }
        return out;
    }

    private List<DeployRecord> swapsSince(long fromMillis) {
        synchronized (swaps) {
            return swaps.stream().filter(r -> r.at().toEpochMilli() >= fromMillis).toList();
        }
    }

    /** A series' name; written out rather than a record for the reason {@code HostMetrics.Key} gives. */
    private static final class SeriesKey {
        final String cage;
        final String operation;
        private final int hash;

        SeriesKey(String cage, String operation) {
            this.cage = cage;
            this.operation = operation;
            this.hash = cage.hashCode() * 31 + operation.hashCode();
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SeriesKey k && hash == k.hash && cage.equals(k.cage) && operation.equals(k.operation);
        }
    }

    /** Both windows' rings of one series. */
    static final class Series {
        private final Ring minute = new Ring(Window.MINUTE);
        private final Ring hour = new Ring(Window.HOUR);

        synchronized void answered(long now, ErrorCode error, long tookNanos) {
            minute.at(now).answered(error, tookNanos);
            hour.at(now).answered(error, tookNanos);
        }

        synchronized void sampled(long now, int running, int queued) {
            minute.at(now).sampled(running, queued);
            hour.at(now).sampled(running, queued);
        }

        synchronized void addTo(Window window, long firstIndex, Slot[] into) {
            (window == Window.MINUTE ? minute : hour).addTo(firstIndex, into);
        }
    }

    /** A fixed ring of slots; a slot is reused (cleared) when its index comes round again. */
    private static final class Ring {
        private final Window window;
        private final Slot[] slots;
        private final long[] indexes;

        Ring(Window window) {
            this.window = window;
            this.slots = new Slot[window.slots];
            this.indexes = new long[window.slots];
            java.util.Arrays.fill(indexes, -1);
        }

        Slot at(long now) {
            long index = now / window.slotMs;
            int at = (int) (index % slots.length);
            if (indexes[at] != index) {
                if (slots[at] == null) {
                    slots[at] = new Slot();
                } else {
                    slots[at].clear();
                }
                indexes[at] = index;
            }
            return slots[at];
        }

        void addTo(long firstIndex, Slot[] into) {
            for (int i = 0; i < into.length; i++) {
                long index = firstIndex + i;
                int at = (int) (index % slots.length);
                if (indexes[at] == index) {
                    into[i].add(slots[at]);
                }
            }
        }
    }

    /**
     * One slot's counts. Latencies go into a log histogram with two buckets per power of two of microseconds
     * (within about 20%), which is what a chart of p50/p99 needs and keeps a slot at a few hundred bytes.
     */
    static final class Slot {
        static final int BUCKETS = 64;

        int requests;
        int timed;
        final int[] errors = new int[CODES.length];
        final int[] latency = new int[BUCKETS];
        int maxRunning;
        int maxQueued;

        void answered(ErrorCode error, long tookNanos) {
            requests++;
            if (error != null) {
                errors[error.ordinal()]++;
            }
            if (tookNanos >= 0) {
                timed++;
                latency[bucket(tookNanos / 1000)]++;
            }
        }

        void sampled(int running, int queued) {
            maxRunning = Math.max(maxRunning, running);
            maxQueued = Math.max(maxQueued, queued);
        }

        void add(Slot other) {
            requests += other.requests;
            timed += other.timed;
            for (int i = 0; i < errors.length; i++) {
                errors[i] += other.errors[i];
            }
            for (int i = 0; i < BUCKETS; i++) {
                latency[i] += other.latency[i];
            }
            // Different cages' gates add up; one cage's samples are one series, so this is its own max.
            maxRunning += other.maxRunning;
            maxQueued += other.maxQueued;
        }

        void clear() {
            requests = 0;
            timed = 0;
            java.util.Arrays.fill(errors, 0);
            java.util.Arrays.fill(latency, 0);
            maxRunning = 0;
            maxQueued = 0;
        }

        /** The latency under which {@code q} of the timed requests fell, in ms (a bucket's middle); null without any. */
        Double quantileMs(double q) {
            if (timed == 0) {
                return null;
            }
            long rank = (long) Math.ceil(q * timed);
            long seen = 0;
            for (int i = 0; i < BUCKETS; i++) {
                seen += latency[i];
                if (seen >= rank) {
                    return Math.round((lower(i) + lower(i + 1)) / 2.0) / 1000.0;
                }
            }
            return lower(BUCKETS - 1) / 1000.0;
        }

        /** 0 and 1 µs have a bucket each; above, two per power of two: [2^e, 1.5*2^e) and [1.5*2^e, 2^(e+1)). */
        static int bucket(long micros) {
            if (micros < 2) {
                return (int) Math.max(0, micros);
            }
            int e = 63 - Long.numberOfLeadingZeros(micros);
            int half = (int) ((micros >> (e - 1)) & 1);
            return Math.min(BUCKETS - 1, 2 + (e - 1) * 2 + half);
        }

        /** The smallest value (µs) of bucket {@code i}. */
        static long lower(int i) {
            if (i < 2) {
                return i;
            }
            int e = (i - 2) / 2 + 1;
            return (i - 2) % 2 == 0 ? 1L << e : 3L << (e - 1);
        }
    }
}
