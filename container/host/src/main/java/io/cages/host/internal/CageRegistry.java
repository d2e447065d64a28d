package io.cages.host.internal;

import io.cages.host.admin.CageInfo;
import io.cages.host.HostConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/** Cages by name. Slots are created by deploys and removed by undeploys. */
final class CageRegistry {

    private final HostConfig config;
    private final ConcurrentHashMap<String, CageSlot> slots = new ConcurrentHashMap<>();

    CageRegistry(HostConfig config) {
        this.config = config;
    }

    CageSlot get(String name) {
        return slots.get(name);
    }

    CageSlot getOrCreate(String name) {
        return slots.computeIfAbsent(name, n -> new CageSlot(n, config.limitsFor(n)));
    }

    /** Removes the slot if it has nothing active or draining. */
    void removeIfIdle(CageSlot slot) {
        slots.computeIfPresent(slot.name(), (name, existing) ->
                existing == slot && slot.active() == null && slot.draining().isEmpty() ? null : existing);
    }

    List<CageSlot> all() {
        return new ArrayList<>(slots.values());
    }

    List<CageInfo> describe() {
        List<CageInfo> result = new ArrayList<>();
        for (CageSlot slot : slots.values()) {
            List<CageInfo.VersionInfo> versions = new ArrayList<>();
            CageRevision active = slot.active();
            if (active != null) {
                versions.add(info(active));
            }
            for (CageRevision old : slot.draining()) {
                versions.add(info(old));
            }
            result.add(new CageInfo(slot.name(), active == null ? null : active.version(),
                    slot.gate().running(), slot.gate().queued(), versions, slot.source(),
                    active == null ? List.of() : active.idempotent()));
        }
        result.sort(Comparator.comparing(CageInfo::name));
        return result;
    }

    private static CageInfo.VersionInfo info(CageRevision revision) {
        return new CageInfo.VersionInfo(revision.version(), revision.bundleId(),
                revision.state().name(), revision.inFlight());
    }
}
