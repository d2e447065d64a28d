package io.cages.host.internal;

import io.cages.host.admin.HealthEntry;
import io.cages.host.spi.CageHealth;
import io.cages.host.spi.HostHealth;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The health monitor's status rules, apart from any clock or network so they can be tested alone. Fed one
 * observation per host per round, it keeps the matrix of hosts x cages:
 * <ul>
 *   <li>a host's answer gives each of its cages the status it reports (up, degraded, down);</li>
 *   <li>a cage seen on a host before and missing from its answer is down there (stopped or undeployed);</li>
 *   <li>a host that did not answer, or left the flock's membership, is down for every cage it had;</li>
 *   <li>a host whose start time differs from the one its last answer gave restarted: its up cages show
 *       {@code restarted} until its next answer, then {@code up};</li>
 *   <li>an entry down for longer than {@code forgetMs} is dropped (an undeployed cage, a host gone for good),
 *       so the matrix does not grow without end and a cage removed on purpose stops counting against readiness.</li>
 * </ul>
 * Not thread-safe: the monitor's one thread feeds it; readers get {@link #entries()} copies.
 */
final class HealthRules {

    private final long forgetMs;
    /** host -> cage -> entry. */
    private final Map<String, Map<String, HealthEntry>> matrix = new HashMap<>();
    /** host -> the start time its last answer gave. */
    private final Map<String, Long> startedAt = new HashMap<>();

    HealthRules(long forgetMs) {
        this.forgetMs = forgetMs;
    }

    /** {@code host} answered a probe at {@code now} (epoch ms). */
    void answered(HostHealth answer, long now) {
        String host = answer.host();
        Long before = startedAt.put(host, answer.startedAt());
        boolean restarted = before != null && before != answer.startedAt();
        Map<String, HealthEntry> cages = matrix.computeIfAbsent(host, h -> new HashMap<>());
        Set<String> reported = new HashSet<>();
        for (CageHealth cage : answer.cages()) {
            reported.add(cage.cage());
            String status = cage.status();
            String reason = cage.reason();
            if (restarted && HealthEntry.UP.equals(status)) {
                status = HealthEntry.RESTARTED;
                reason = "host " + host + " restarted (started at " + Instant.ofEpochMilli(answer.startedAt())
                        + (before > 0 ? ", before at " + Instant.ofEpochMilli(before) : "") + ")";
            }
            set(cages, host, cage.cage(), cage.version(), status, reason, now);
        }
        for (HealthEntry entry : List.copyOf(cages.values())) {
            if (!reported.contains(entry.cage())) {
                set(cages, host, entry.cage(), null, HealthEntry.DOWN, "not deployed on " + host + " (stopped or undeployed)", now);
            }
        }
    }

    /** {@code host} is in the flock but did not answer: {@code reason} says why (timeout, refused). */
    void silent(String host, String reason, long now) {
        allDown(host, "host " + host + " did not answer the health probe: " + reason, now);
    }

    /** {@code host} is no longer in the flock's membership (left, died or cut off). */
    void gone(String host, long now) {
        allDown(host, "host " + host + " left the flock (not in the membership view)", now);
    }

    /** The hosts with entries. */
    Set<String> hosts() {
        return Set.copyOf(matrix.keySet());
    }

    /** Drops entries down for longer than the forget time, and hosts left with none. */
    void forget(long now) {
        for (Map<String, HealthEntry> cages : matrix.values()) {
            cages.values().removeIf(e -> HealthEntry.DOWN.equals(e.status()) && now - e.since() > forgetMs);
        }
        matrix.values().removeIf(Map::isEmpty);
    }

    /** Every entry, by host then cage. */
    List<HealthEntry> entries() {
        List<HealthEntry> all = new ArrayList<>();
        matrix.values().forEach(cages -> all.addAll(cages.values()));
        all.sort(Comparator.comparing(HealthEntry::host).thenComparing(HealthEntry::cage));
        return all;
    }

    private void allDown(String host, String reason, long now) {
        Map<String, HealthEntry> cages = matrix.get(host);
        if (cages == null) {
            return;
        }
        for (HealthEntry entry : List.copyOf(cages.values())) {
            // The last version seen stays: it says what was running there when it went down.
            set(cages, host, entry.cage(), entry.version(), HealthEntry.DOWN, reason, now);
        }
    }

    private static void set(Map<String, HealthEntry> cages, String host, String cage, String version, String status, String reason, long now) {
        HealthEntry before = cages.get(cage);
        long since = before != null && before.status().equals(status) ? before.since() : now;
        cages.put(cage, new HealthEntry(host, cage, version, status, reason, since, now));
    }
}
