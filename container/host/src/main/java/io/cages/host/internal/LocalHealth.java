package io.cages.host.internal;

import io.cages.host.admin.HealthEntry;
import io.cages.host.spi.CageHealth;
import io.cages.host.spi.HostHealth;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * This host's cages' health, what it answers to every probe (its own monitor's and other hosts'): a cage
 * without an active version, or whose version failed, is down; otherwise its active version's self-test says
 * up, or degraded when it throws or does not finish within the self-test bound.
 *
 * <p>A self-test runs at most about once per period per cage however many hosts probe: its outcome is kept for
 * 90% of the period and a probe meanwhile gets it. A self-test still running when the next is due is not started again
 * (it stays degraded, "still running"), so a hanging one does not pile up threads.
 */
final class LocalHealth {

    private final String host;
    private final long startedAt;
    private final CageRegistry registry;
    private final long freshNanos;
    private final long selfTestTimeoutMs;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<String, Run> runs = new ConcurrentHashMap<>();

    /** One self-test of one version: when it started and how it ended (or not yet). */
    private record Run(String version, long startedNanos, CompletableFuture<String> failure) {
    }

    /** A cage whose health is known at once ({@code known}), or once its self-test {@code run} ends. */
    private record Pending(CageHealth known, String cage, String version, Run run) {
    }

    LocalHealth(String host, long startedAt, CageRegistry registry, long periodMs, long selfTestTimeoutMs, LongSupplier nanoTime) {
        this.host = host;
        this.startedAt = startedAt;
        this.registry = registry;
        // 90% of the period: the monitor's own rounds come at a fixed rate with some jitter, and a result 999 ms
        // old at a 1000 ms period must not be served a whole period more.
        this.freshNanos = TimeUnit.MILLISECONDS.toNanos(periodMs) * 9 / 10;
        this.selfTestTimeoutMs = selfTestTimeoutMs;
        this.nanoTime = nanoTime;
    }

    /** Every cage's health now; waits at most the self-test bound (self-tests run in parallel). */
    HostHealth check() {
        List<CageSlot> slots = registry.all();
        slots.sort(Comparator.comparing(CageSlot::name));
        List<Pending> pending = new ArrayList<>();
        for (CageSlot slot : slots) {
            CageRevision active = slot.active();
            if (active == null) {
                pending.add(new Pending(new CageHealth(slot.name(), null, HealthEntry.DOWN, "no active version (stopped, undeployed or being replaced)"), null, null, null));
            } else if (active.failure() != null) {
                pending.add(new Pending(new CageHealth(slot.name(), active.version(), HealthEntry.DOWN,
                        "version " + active.version() + " gave up serving: " + active.failure()), null, null, null));
            } else {
                pending.add(new Pending(null, slot.name(), active.version(), selfTest(slot.name(), active)));
            }
        }
        long deadline = nanoTime.getAsLong() + TimeUnit.MILLISECONDS.toNanos(selfTestTimeoutMs);
        List<CageHealth> cages = new ArrayList<>();
        for (Pending p : pending) {
            if (p.known() != null) {
                cages.add(p.known());
                continue;
            }
            Run run = p.run();
            String failure;
            try {
                failure = run.failure().get(Math.max(0, deadline - nanoTime.getAsLong()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                long ms = TimeUnit.NANOSECONDS.toMillis(nanoTime.getAsLong() - run.startedNanos());
                failure = "self-test did not finish within " + selfTestTimeoutMs + " ms (running for " + ms + " ms)";
            } catch (ExecutionException e) {
                failure = "self-test failed: " + CageRevision.describe(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = "interrupted while waiting for the self-test";
            }
            cages.add(new CageHealth(p.cage(), p.version(), failure == null ? HealthEntry.UP : HealthEntry.DEGRADED, failure));
        }
        runs.keySet().retainAll(slots.stream().map(CageSlot::name).toList());
        return new HostHealth(host, startedAt, cages);
    }

    /** The self-test run for this period: the last one if it is fresh (or still running), else a new one. */
    private Run selfTest(String cage, CageRevision revision) {
        return runs.compute(cage, (name, last) -> {
            long now = nanoTime.getAsLong();
            if (last != null && last.version().equals(revision.version())
                    && (!last.failure().isDone() || now - last.startedNanos() < freshNanos)) {
                return last;
            }
            return new Run(revision.version(), now, start(revision));
        });
    }

    /**
     * Runs the version's self-test on a virtual thread; completes with null (passed) or the failure's message. The
     * run is not counted as a request of the version (its drain, its in-flight count): a probe is not traffic, and a
     * swap never waits for one.
     */
    private static CompletableFuture<String> start(CageRevision revision) {
        CompletableFuture<String> outcome = new CompletableFuture<>();
        Thread.ofVirtual().name("cage-health-" + revision.cage()).start(() -> {
            Thread.currentThread().setContextClassLoader(revision.classLoader());
            try {
                revision.handler().selfTest();
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete("self-test failed: " + CageRevision.describe(t));
            }
        });
        return outcome;
    }
}
