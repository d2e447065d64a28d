package io.cages.resbench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closed-loop load: {@code threads} virtual threads call one operation back to back for a fixed time, each
 * recording every call's latency. The same driver loads both systems, so whatever it costs is in both.
 */
final class Load {

    /** One call of the system under test; {@code thread} is the caller's index (for per-thread state). */
    @FunctionalInterface
    interface Op {
        void call(int thread) throws Exception;
    }

    /**
     * A measured run: completed calls, wall time, latency percentiles, failed calls, and the CPU time the whole
     * JVM used per call (every thread: callers, client library, and an embedded broker if there is one). On a
     * shared machine the CPU per call moves much less than the rate, which follows what else runs.
     */
    record Result(long calls, double seconds, double p50Ms, double p99Ms, long errors, String firstError, double cpuUsPerCall) {
        double perSecond() {
            return calls / seconds;
        }
    }

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    /** CPU time of this JVM so far, in nanoseconds. */
    static long processCpuNanos() {
        return OS.getProcessCpuTime();
    }

    private Load() {
    }

    static Result run(int threads, double seconds, Op op) throws InterruptedException {
        long[][] latencies = new long[threads][];
        int[] counts = new int[threads];
        AtomicLong errors = new AtomicLong();
        String[] firstError = new String[1];
        long cpuStart = processCpuNanos();
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        List<Thread> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int me = t;
            running.add(Thread.ofVirtual().name("load-" + t).start(() -> {
                long[] lat = new long[1 << 14];
                int n = 0;
                long now = System.nanoTime();
                while (now < end) {
                    try {
                        op.call(me);
                        long after = System.nanoTime();
                        if (n == lat.length) {
                            lat = Arrays.copyOf(lat, n * 2);
                        }
                        lat[n++] = after - now;
                        now = after;
                    } catch (Exception e) {
                        if (errors.getAndIncrement() == 0) {
                            firstError[0] = e.toString();
                        }
                        now = System.nanoTime();
                    }
                }
                latencies[me] = lat;
                counts[me] = n;
            }));
        }
        for (Thread t : running) {
            t.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        long cpu = processCpuNanos() - cpuStart;
        int total = Arrays.stream(counts).sum();
        long[] all = new long[total];
        int at = 0;
        for (int t = 0; t < threads; t++) {
            System.arraycopy(latencies[t], 0, all, at, counts[t]);
            at += counts[t];
        }
        Arrays.sort(all);
        return new Result(total, elapsed, percentileMs(all, 0.50), percentileMs(all, 0.99), errors.get(), firstError[0],
                total == 0 ? Double.NaN : cpu / 1e3 / total);
    }

    static double percentileMs(long[] sortedNanos, double q) {
        if (sortedNanos.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.min(sortedNanos.length - 1, Math.ceil(q * sortedNanos.length) - 1);
        return sortedNanos[Math.max(0, i)] / 1e6;
    }
}
