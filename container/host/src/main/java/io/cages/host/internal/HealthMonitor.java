package io.cages.host.internal;

import io.cages.host.HostConfig;
import io.cages.host.admin.HealthView;
import io.cages.host.spi.FlockProbe;
import io.cages.host.spi.HostHealth;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health monitor: every period it probes this host's cages (in-process) and every other host of the flock
 * (through the {@link FlockProbe} the flock transport offers, over RPC), and keeps the matrix of hosts x cages
 * ({@link HealthRules}) that {@code GET /health}, {@code /health/flock}, {@code /flock}, the console and
 * {@code cagectl health} show. One platform thread; probes of the other hosts run at once, each bounded by the
 * timeout, so a round takes at most about one timeout.
 */
final class HealthMonitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);
    /** A cage or host down this many periods (at least a minute) is dropped from the matrix. */
    static final int FORGET_AFTER_PERIODS = 30;
    static final long MIN_FORGET_MS = 60_000;
    /** Probe outcomes so far, for the metrics: answered, silent (timeout or refused), gone. */
    static final int ANSWERED = 0;
    static final int SILENT = 1;
    static final int GONE = 2;

    private final String host;
    private final HostConfig.Health settings;
    private final LocalHealth local;
    private final LongSupplier clock;
    private final HealthRules rules;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cages-health-monitor");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLongArray outcomes = new AtomicLongArray(3);
    private volatile FlockProbe probe;
    private volatile String state = HealthView.STARTING;
    private volatile HealthView view;

    HealthMonitor(String host, HostConfig.Health settings, LocalHealth local, LongSupplier clock) {
        this.host = host;
        this.settings = settings;
        this.local = local;
        this.clock = clock;
        this.rules = new HealthRules(Math.max(MIN_FORGET_MS, FORGET_AFTER_PERIODS * settings.periodMs()));
        this.view = new HealthView(host, state, settings.periodMs(), settings.timeoutMs(), List.of());
    }

    /** This host's answer to a probe (cached self-tests). */
    HostHealth local() {
        return local.check();
    }

    void offer(FlockProbe flock) {
        if (probe != null) {
            throw new IllegalStateException("another transport already offers a flock probe");
        }
        probe = flock;
    }

    /** Probes at once, then every period. */
    void start() {
        // At a fixed rate: a round that waited for a silent host does not push the next one later.
        timer.scheduleAtFixedRate(this::round, 0, settings.periodMs(), TimeUnit.MILLISECONDS);
    }

    /** From now on {@code GET /health} answers 503 (draining), whatever the cages say. */
    void draining() {
        state = HealthView.DRAINING;
        HealthView last = view;
        view = new HealthView(host, state, last.periodMs(), last.timeoutMs(), last.entries());
    }

    HealthView view() {
        return view;
    }

    /** Probe outcomes so far: answered, silent, gone. */
    long outcomes(int kind) {
        return outcomes.get(kind);
    }

    private void round() {
        try {
            FlockProbe flock = probe;
            Map<String, CompletableFuture<HostHealth>> asked = new LinkedHashMap<>();
            List<String> peers = flock == null ? List.of() : flock.peers();
            for (String peer : peers) {
                if (!peer.equals(host)) {
                    asked.putIfAbsent(peer, flock.probe(peer, settings.timeoutMs()));
                }
            }
            HostHealth mine = local.check();
            long now = clock.getAsLong();
            rules.answered(mine, now);
            if (HealthView.STARTING.equals(state)) {
                state = HealthView.SERVING; // ready as soon as its own cages are known, not after the peers answered
                publish();
            }
            long waitUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.timeoutMs() + 100);
            for (Map.Entry<String, CompletableFuture<HostHealth>> e : asked.entrySet()) {
                try {
                    HostHealth answer = e.getValue().get(Math.max(0, waitUntil - System.nanoTime()), TimeUnit.NANOSECONDS);
                    rules.answered(answer, clock.getAsLong());
                    outcomes.incrementAndGet(ANSWERED);
                } catch (TimeoutException t) {
                    rules.silent(e.getKey(), "no answer within " + settings.timeoutMs() + " ms", clock.getAsLong());
                    outcomes.incrementAndGet(SILENT);
                } catch (ExecutionException t) {
                    Throwable cause = t.getCause();
                    rules.silent(e.getKey(), cause.getMessage() == null ? cause.toString() : cause.getMessage(), clock.getAsLong());
                    outcomes.incrementAndGet(SILENT);
                }
            }
            Set<String> present = new HashSet<>(peers);
            present.add(host);
            for (String known : rules.hosts()) {
                if (!present.contains(known)) {
                    rules.gone(known, clock.getAsLong());
                    outcomes.incrementAndGet(GONE);
                }
            }
            rules.forget(clock.getAsLong());
            publish();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("a health monitor round failed; trying again next period", e);
        }
    }

    /** Only on the monitor's thread: the rules are not thread-safe. */
    private void publish() {
        view = new HealthView(host, state, settings.periodMs(), settings.timeoutMs(), rules.entries());
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
