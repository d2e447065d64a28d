package io.cages.host.internal;

import io.cages.host.HostConfig;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A cage name and what serves it: the active version (switched atomically by a swap), versions still
 * draining, the admission gate and the limits.
 */
final class CageSlot {

    private final String name;
    private final HostConfig.Limits limits;
    private final AdmissionGate gate;
    /**
     * Switched without a lock (swaps of one cage are already serialized by the swap coordinator's per-cage lock,
     * which is taken before; the deploy folder's monitor, if at all, after). Requests read it lock-free.
     */
    private final AtomicReference<CageRevision> active = new AtomicReference<>();
    private final List<CageRevision> draining = new CopyOnWriteArrayList<>();
    private volatile String source;

    CageSlot(String name, HostConfig.Limits limits) {
        this.name = name;
        this.limits = limits;
        this.gate = new AdmissionGate(limits.maxConcurrency(), limits.maxQueue());
    }

    String name() {
        return name;
    }

    HostConfig.Limits limits() {
        return limits;
    }

    AdmissionGate gate() {
        return gate;
    }

    CageRevision active() {
        return active.get();
    }

    /** Makes {@code next} (may be null: undeploy) the version new requests go to; returns the one it replaced. */
    CageRevision switchTo(CageRevision next) {
        CageRevision previous = active.getAndSet(next);
        if (previous != null) {
            draining.add(previous);
        }
        return previous;
    }

    void retired(CageRevision revision) {
        draining.remove(revision);
    }

    List<CageRevision> draining() {
        return List.copyOf(draining);
    }

    /**
     * The active version, entered (its in-flight count raised), or null when the cage has none. Retries when
     * a swap retires the version between the read and the enter.
     */
    CageRevision enterActive() {
        for (;;) {
            CageRevision revision = active.get();
            if (revision == null || revision.tryEnter()) {
                return revision;
            }
            Thread.onSpinWait();
        }
    }

    String source() {
        return source;
    }

    void source(String file) {
        this.source = file;
    }
}
