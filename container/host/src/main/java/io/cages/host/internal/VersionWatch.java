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

    private final ConcurrentHashMap<String, Watched> watched = new ConcurrentHashMap<>();

    /** What one cage's versions answered since its watch began. */
    static final class Watched {
        private final long startedNanos = System.nanoTime();
        // CONCURRENCY: guarded by this.
        private final Map<String, MetricsHistory.Slot> byVersion = new java.util.HashMap<>();

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

    /** Starts counting {@code cage}'s versions (again, from zero); stop with {@link #stop}. One watch per cage. */
    Watched watch(String cage) {
        Watched w = new Watched();
        watched.put(cage, w);
        return w;
    }

    void stop(String cage, Watched w) {
        watched.remove(cage, w);
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
        Watched w = watched.get(in.cage());
        if (w != null) {
            w.answered(version, !HostMetrics.OK.equals(HostMetrics.outcome(result)), tookNanos);
        }
    }
}
