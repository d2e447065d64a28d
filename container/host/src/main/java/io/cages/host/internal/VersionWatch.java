package io.cages.host.internal;

import io.cages.api.ErrorCode;
import io.cages.host.admin.Rollout.Sample;
import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.Reply;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts the requests each version of a watched cage answers, for guarded deploys. Told of every request
 * (whether or not metrics are on); when no cage is watched that is one map lookup on an empty map.
 */
final class VersionWatch implements RequestEvents {

    /** Usually none, rarely more than one (two guarded deploys of one cage at once each count their own). */
    private final java.util.Set<Watched> watched = ConcurrentHashMap.newKeySet();

    /** What one cage's versions answered since its watch began. */
    static final class Watched {
        private final String cage;
        private final long startedNanos = System.nanoTime();
        // CONCURRENCY: guarded by this.
        private final Map<String, MetricsHistory.Slot> byVersion = new java.util.HashMap<>();

        Watched(String cage) {
            this.cage = cage;
        }

        synchronized void answered(String version, boolean error, long tookNanos) {
            byVersion.computeIfAbsent(version, v -> new MetricsHistory.Slot()).answered(error ? ErrorCode.INTERNAL : null, tookNanos);
        }

        /** What {@code version} answered since the watch began. */
        synchronized Sample sampleOf(String version) {
            double seconds = (System.nanoTime() - startedNanos) / 1e9;
            MetricsHistory.Slot s = byVersion.get(version);
            if (s == null) {
                return new Sample(0, 0, null, seconds);
            }
            int errors = 0;
            for (int e : s.errors) {
                errors += e;
            }
            return new Sample(s.requests, errors, s.quantileMs(0.99), seconds);
        }
    }

    /** Starts counting {@code cage}'s versions from zero; stop with {@link #stop}. */
    Watched watch(String cage) {
        Watched w = new Watched(cage);
        watched.add(w);
        return w;
    }

    void stop(Watched w) {
        watched.remove(w);
    }

    @Override
    public void refused(InboundRequest in, boolean cageKnown, ErrorCode code) {
        // never reached a version: not the new version's doing
    }

    @Override
    public void finished(InboundRequest in, String version, CompletableFuture<Reply> result, long tookNanos) {
        if (version == null || watched.isEmpty()) {
            return;
        }
        for (Watched w : watched) {
            if (w.cage.equals(in.cage())) {
                w.answered(version, !HostMetrics.OK.equals(HostMetrics.outcome(result)), tookNanos);
            }
        }
    }
}
