package io.cages.host.internal;

import io.cages.host.admin.DeployRecord;
import io.cages.host.admin.DeployRecord.Outcome;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.atomic.AtomicLong;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deploys, updates and undeploys cages the way Felix updates a bundle: stage (read the manifest once and
 * install the new bundle beside the running version), start (the bundle, then the handler's start and
 * self-test), then switch (new requests go to the new version atomically; the old one drains and is
 * uninstalled) or roll back (the new bundle goes; the old version never stopped serving). One swap per cage
 * at a time.
 */
final class SwapCoordinator {

    private static final Logger LOG = LoggerFactory.getLogger(SwapCoordinator.class);
    private static final long LOCK_WAIT_SECONDS = 120;

    private final OsgiFramework framework;
    private final RevisionFactory revisions;
    private final CageRegistry registry;
    private final DeployHistory history;
    /**
     * One swap lock per cage name, held for a whole deploy or undeploy of that cage. Lock order: this lock,
     * then the cage's slot (its atomic switch, {@link CageSlot#switchTo}), then the deploy folder's monitor;
     * nothing here takes the folder's monitor, and the folder never holds it across a swap.
     *
     * <p>SWAP ORDER: a swap that takes place draws its record's sequence number while it holds this lock, so
     * for one cage the numbers follow the order in which swaps happened. The deploy folder, which stores and
     * deletes jars after a swap and outside this lock, relies on it: the latest swap of a cage decides which jar
     * stays.
     */
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final AtomicLong installs = new AtomicLong();
    private final Retirements retirements = new Retirements();
    private final KeptJars kept = new KeptJars();

    SwapCoordinator(OsgiFramework framework, RevisionFactory revisions, CageRegistry registry, DeployHistory history) {
        this.framework = framework;
        this.revisions = revisions;
        this.registry = registry;
        this.history = history;
    }

    /** Deploys or updates the cage in {@code jar}; never throws, the record tells the outcome. */
    DeployRecord deploy(byte[] jar, String origin) {
        return deploy(jar, origin, null);
    }

    /**
     * Swaps {@code cage} back to the version it ran before its last deploy, live (the same path as an update).
     *
     * @param reason why, for the history (a guarded deploy's verdict), or null
     * @return the jar now serving with the record, or null when there is no previous version to go back to
     */
    RolledBack rollback(String cage, String origin, String reason) {
        ReentrantLock lock = lockOf(cage);
        if (!tryLock(lock)) {
            return new RolledBack(record(new DeployRecord(history.nextSeq(), Instant.now(), "ROLLBACK", cage, null, null, origin, Outcome.FAILED,
                    "another deploy of cage '" + cage + "' did not finish within " + LOCK_WAIT_SECONDS + " s", 0)), null);
        }
        try { // reentrant: deploy takes the same lock, so nothing gets between reading the kept jar and the swap
            KeptJars.Kept previous = kept.previous(cage);
            CageSlot slot = registry.get(cage);
            if (previous == null || slot == null || slot.active() == null) {
                return null;
            }
            DeployRecord record = deploy(previous.jar(), origin, reason == null ? "rolled back by " + origin : reason);
            return new RolledBack(record, previous.jar());
        } finally {
            lock.unlock();
        }
    }

    /** A rollback's record and the jar that serves after it (null when it failed before a swap). */
    record RolledBack(DeployRecord record, byte[] jar) {
    }

    /** {@code rollbackReason}: non-null for a rollback (the record's action is then ROLLBACK). */
    private DeployRecord deploy(byte[] jar, String origin, String rollbackReason) {
        long started = System.nanoTime();
        Instant at = Instant.now();
        CageManifest manifest;
        RevisionFactory.ForeignArchive foreign;
        try {
            foreign = revisions.readForeign(jar);
            manifest = foreign != null ? foreign.manifest() : CageManifest.read(jar);
        } catch (DeployException e) {
            return record(new DeployRecord(history.nextSeq(), at, "DEPLOY", null, null, null, origin, Outcome.FAILED, e.getMessage(), elapsedMs(started)));
        }
        String cage = manifest.name();
        ReentrantLock lock = lockOf(cage);
        if (!tryLock(lock)) {
            return record(new DeployRecord(history.nextSeq(), at, "DEPLOY", cage, manifest.version(), null, origin, Outcome.FAILED,
                    "another deploy of cage '" + cage + "' did not finish within " + LOCK_WAIT_SECONDS + " s", elapsedMs(started)));
        }
        try {
            long seq = history.nextSeq(); // under the cage's lock: see SWAP ORDER at locks
            CageSlot slot = registry.getOrCreate(cage);
            CageRevision previous = slot.active();
            String action = rollbackReason != null ? "ROLLBACK" : previous == null ? "DEPLOY" : "UPDATE";
            String previousVersion = previous == null ? null : previous.version();
            CageRevision next;
            try {
                next = foreign != null ? startForeign(foreign, slot) : start(stage(manifest, jar), manifest, slot);
                StateHandover.handOver(previous, next);
            } catch (DeployException e) {
                // Roll back: start removed what stage installed; the slot never saw the new version.
                registry.removeIfIdle(slot);
                LOG.error("{} of cage {} {} from {} failed: {}{}", action.toLowerCase(), cage, manifest.version(), origin, e.getMessage(),
                        previous == null ? "" : "; version " + previousVersion + " stays active", e.getCause());
                return record(new DeployRecord(seq, at, action, cage, manifest.version(), previousVersion, origin, Outcome.FAILED, e.getMessage(), elapsedMs(started)));
            }
            // Switch: new requests go to the new version; the old one drains in the background.
            slot.switchTo(next);
            slot.source(origin);
            long ms = elapsedMs(started);
            LOG.info("cage {} {} is active ({} from {}, {} ms, was {})", cage, next.version(), action.toLowerCase(), origin, ms, previousVersion);
            if (previous != null) {
                retire(slot, previous);
            }
            if (rollbackReason != null) {
                kept.rolledBack(cage);
            } else {
                kept.activated(cage, next.version(), jar);
            }
            return record(new DeployRecord(seq, at, action, cage, manifest.version(), previousVersion, origin, Outcome.ACTIVE, rollbackReason, ms));
        } finally {
            lock.unlock();
        }
    }

    /** Installs the jar as a new bundle beside the running version; nothing serves from it yet. */
    private Bundle stage(CageManifest manifest, byte[] jar) throws DeployException {
        String location = "cage:" + manifest.name() + "/" + manifest.version() + "#" + installs.incrementAndGet();
        try {
            return framework.install(location, new ByteArrayInputStream(jar));
        } catch (BundleException e) {
            throw new DeployException("the bundle could not be installed: " + e.getMessage(), e);
        }
    }

    /**
     * Starts the staged bundle, builds its version from the manifest already read, and runs the handler's start
     * and self-test. On any failure the bundle is uninstalled (and a started handler's context closed) before
     * the exception leaves.
     */
    private CageRevision start(Bundle bundle, CageManifest manifest, CageSlot slot) throws DeployException {
        CageRevision revision = null;
        try {
            try {
                bundle.start();
            } catch (BundleException e) {
                throw new DeployException("the bundle did not start: " + e.getMessage(), e);
            }
            revision = revisions.create(bundle, manifest);
            revision.startAndSelfTest(Duration.ofMillis(slot.limits().selfTestTimeoutMs()));
            return revision;
        } catch (DeployException | RuntimeException e) {
            if (revision != null) {
                revision.discard();
            } else {
                CageRevision.uninstall(bundle);
            }
            if (e instanceof RuntimeException) {
                throw new DeployException("unexpected failure: " + CageRevision.describe(e), e);
            }
            throw e;
        }
    }

    /** Builds a version without a bundle (a process cage) and runs its start and self-test; discarded on failure. */
    private CageRevision startForeign(RevisionFactory.ForeignArchive archive, CageSlot slot) throws DeployException {
        CageRevision revision = revisions.createForeign(archive);
        try {
            revision.startAndSelfTest(Duration.ofMillis(slot.limits().selfTestTimeoutMs()));
            return revision;
        } catch (DeployException | RuntimeException e) {
            revision.discard();
            if (e instanceof RuntimeException) {
                throw new DeployException("unexpected failure: " + CageRevision.describe(e), e);
            }
            throw e;
        }
    }

    /** Undeploys a cage: no new requests reach it; in-flight ones finish (bounded); the bundle goes. */
    DeployRecord undeploy(String cage, String origin) {
        long started = System.nanoTime();
        Instant at = Instant.now();
        ReentrantLock lock = lockOf(cage);
        if (!tryLock(lock)) {
            return record(new DeployRecord(history.nextSeq(), at, "UNDEPLOY", cage, null, null, origin, Outcome.FAILED,
                    "another deploy of cage '" + cage + "' did not finish within " + LOCK_WAIT_SECONDS + " s", elapsedMs(started)));
        }
        try {
            long seq = history.nextSeq(); // under the cage's lock: see SWAP ORDER at locks
            CageSlot slot = registry.get(cage);
            CageRevision active = slot == null ? null : slot.active();
            if (active == null) {
                return record(new DeployRecord(seq, at, "UNDEPLOY", cage, null, null, origin, Outcome.FAILED,
                        "no cage named '" + cage + "' is deployed", elapsedMs(started)));
            }
            slot.switchTo(null);
            retire(slot, active).join();
            registry.removeIfIdle(slot);
            kept.undeployed(cage);
            long ms = elapsedMs(started);
            LOG.info("cage {} {} undeployed ({} from {}, {} ms)", cage, active.version(), "undeploy", origin, ms);
            return record(new DeployRecord(seq, at, "UNDEPLOY", cage, active.version(), active.version(), origin, Outcome.UNDEPLOYED, null, ms));
        } finally {
            lock.unlock();
        }
    }

    /** Drains {@code old} in the background; the future completes once it is uninstalled and left the slot. */
    private CompletableFuture<Void> retire(CageSlot slot, CageRevision old) {
        StateHandover.release(old);
        return retirements.track(old.retire(Duration.ofMillis(slot.limits().drainTimeoutMs())).thenRun(() -> {
            slot.retired(old);
            LOG.info("cage {} {} retired", old.cage(), old.version());
        }));
    }

    /** Waits for background retirements (bounded) and retires every cage; used by shutdown. */
    void retireAll(Duration timeout) {
        for (CageSlot slot : registry.all()) {
            CageRevision active = slot.switchTo(null);
            if (active != null) {
                retire(slot, active);
            }
        }
        retirements.await(timeout);
    }

    boolean awaitRetirements(Duration timeout) {
        return retirements.await(timeout);
    }

    private DeployRecord record(DeployRecord record) {
        history.add(record);
        return record;
    }

    private ReentrantLock lockOf(String cage) {
        return locks.computeIfAbsent(cage, k -> new ReentrantLock());
    }

    private static boolean tryLock(ReentrantLock lock) {
        try {
            return lock.tryLock(LOCK_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static long elapsedMs(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }
}
