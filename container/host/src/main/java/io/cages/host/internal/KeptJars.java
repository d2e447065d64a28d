package io.cages.host.internal;

import java.util.HashMap;
import java.util.Map;

/**
 * Per cage, the jar of the version that serves and of exactly one version before it, so a rollback needs
 * nothing from outside (the deploy folder holds only the current jar, and Felix uninstalls a replaced bundle).
 * Kept in memory: a restarted host runs what the folder holds and has no previous version until its next deploy.
 * Updated by the swap coordinator under the cage's swap lock.
 */
final class KeptJars {

    /** One version's jar. */
    record Kept(String version, byte[] jar) {
    }

    private record Versions(Kept current, Kept previous) {
    }

    // CONCURRENCY: guarded by this.
    private final Map<String, Versions> cages = new HashMap<>();

    /** {@code version} of {@code cage} serves now; the one that served before becomes the previous one. */
    synchronized void activated(String cage, String version, byte[] jar) {
        Versions now = cages.get(cage);
        cages.put(cage, new Versions(new Kept(version, jar), now == null ? null : now.current()));
    }

    /** The previous version serves again; there is none before it now (a rollback is one step back). */
    synchronized void rolledBack(String cage) {
        Versions now = cages.get(cage);
        if (now != null && now.previous() != null) {
            cages.put(cage, new Versions(now.previous(), null));
        }
    }

    synchronized void undeployed(String cage) {
        cages.remove(cage);
    }

    /** The version to roll back to, or null. */
    synchronized Kept previous(String cage) {
        Versions now = cages.get(cage);
        return now == null ? null : now.previous();
    }
}
