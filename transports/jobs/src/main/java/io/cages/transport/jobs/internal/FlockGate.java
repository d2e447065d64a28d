package io.cages.transport.jobs.internal;

import io.cages.host.admin.FlockMember;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Decides whether this host fires a tick of a job declared {@code "onePerFlock": true}: the job's cage may run on
 * several hosts of a flock, and each tick must fire on one of them only.
 *
 * <p>The rule, asked at each tick from the flock's directory ({@code GET /flock}): this host fires when
 * <ol>
 *   <li>it sees a majority of the flock's {@code flockSize} hosts (itself included), so of two sides of a cut link
 *       at most one fires;</li>
 *   <li>it is the host with the smallest name among those it sees running the cage, and</li>
 *   <li>it has been so without a break for {@code handoverMs}.</li>
 * </ol>
 * The third rule is the handover: a host that takes over waits until the previous firer, if it is still alive
 * but cut off or not yet aware of the new host, has seen the change itself and stopped. That is a lease kept by
 * time, like Quartz's cluster check-in but without a shared database: it holds when {@code handoverMs} exceeds the
 * time in which two hosts can disagree about the directory (the flock's {@code failureTimeoutMs} plus one
 * {@code publishMs}, plus clock-rate error; wall clocks need not agree). Ticks during a handover are not fired
 * anywhere: the handover time bounds what is missed.
 */
public final class FlockGate {

    /** Outcome of one ask, for counters and the admin API. */
    public enum Verdict { FIRE, NO_FLOCK_MAJORITY, ANOTHER_HOST, HANDING_OVER }

    private final Supplier<List<FlockMember>> directory;
    private final int flockSize;
    private final Duration handover;
    // cage -> since when this host has been its firer without a break
    private final Map<String, Instant> firerSince = new ConcurrentHashMap<>();

    public FlockGate(Supplier<List<FlockMember>> directory, int flockSize, Duration handover) {
        this.directory = directory;
        this.flockSize = flockSize;
        this.handover = handover;
    }

    /**
     * Re-evaluates the rule for {@code cages} without firing: called every poll, so a break in this host's turn
     * shorter than a job's period still restarts its handover.
     */
    public void observe(java.util.Collection<String> cages, Instant now) {
        cages.forEach(cage -> ask(cage, now));
    }

    public Verdict ask(String cage, Instant now) {
        List<FlockMember> members = directory.get();
        if (members.isEmpty()) {
            firerSince.remove(cage);
            return Verdict.NO_FLOCK_MAJORITY; // in no flock: a job meant for one host per flock never fires alone
        }
        if (members.size() * 2 <= flockSize) {
            firerSince.remove(cage);
            return Verdict.NO_FLOCK_MAJORITY;
        }
        Optional<FlockMember> firer = members.stream()
                .filter(m -> m.cages().stream().anyMatch(c -> c.startsWith(cage + "@")))
                .min(java.util.Comparator.comparing(FlockMember::name));
        if (firer.isEmpty() || !firer.get().self()) {
            firerSince.remove(cage);
            return Verdict.ANOTHER_HOST;
        }
        Instant since = firerSince.computeIfAbsent(cage, k -> now);
        return Duration.between(since, now).compareTo(handover) >= 0 ? Verdict.FIRE : Verdict.HANDING_OVER;
    }
}
