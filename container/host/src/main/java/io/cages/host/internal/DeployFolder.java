package io.cages.host.internal;

import io.cages.host.admin.DeployRecord;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deploy folder: a jar dropped in is deployed, a replaced jar updates its cage, a deleted jar undeploys
 * it. Polled rather than watched with WatchService, because a jar being copied in must be left alone until
 * it stops changing (same size and time on two polls), which a watch event cannot tell.
 *
 * <p>Admin deploys write their jar here too (atomically, by rename), so the folder always holds what a
 * restarted host will run.
 *
 * <p>Lock order: the swap coordinator's per-cage swap lock, then the cage's slot, then this folder's monitor.
 * The monitor guards only the folder's two maps; an admin call renames or deletes a jar under it together with
 * the map change, so a poll never takes an admin's jar for a new drop nor its deletion for a removal. It is
 * never held during a swap, so neither the poller nor an admin call waits for another's swap (before, the
 * poller could wait up to the 120 s swap lock wait plus a self-test). Swaps of one cage are ordered by its swap
 * lock; an admin call and a file change for the same cage at the same moment are recorded in the order their
 * swaps finish.
 */
final class DeployFolder {

    private static final Logger LOG = LoggerFactory.getLogger(DeployFolder.class);

    /** Size and modification time of a file as last seen. */
    private record Stamp(long size, long modified) {
        static Stamp of(Path file) throws IOException {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(a.size(), a.lastModifiedTime().toMillis());
        }
    }

    /**
     * What a file in the folder stands for: its stamp when handled, the cage deployed from it, and the poll
     * epoch it was recorded in (a poll that listed the folder before then cannot tell whether it is there).
     */
    private record Known(Stamp stamp, String cage, long epoch) {
    }

    /** A jar that settled (or is present at start) and is to be deployed, as it looked when the poll saw it. */
    private record Settled(Path jar, Stamp stamp) {
    }

    /** A file that disappeared and the cage it held, to undeploy unless another file holds it now. */
    private record Gone(Path jar, String cage) {
    }

    private final Path dir;
    private final SwapCoordinator swaps;
    private final AtomicLong tempFiles = new AtomicLong();
    // CONCURRENCY: the two maps are guarded by this (see the lock order above). scan() and deployAll() run on
    // one thread at a time: deployAll() at start, scan() on the watcher thread afterwards.
    private final Map<Path, Known> known = new HashMap<>();
    private final Map<Path, Stamp> settling = new HashMap<>();
    /** Per cage, the sequence number of the latest swap whose outcome the folder has acted on. */
    private final Map<String, Long> latestSwap = new HashMap<>();
    /**
     * Raised as each poll starts listing the folder. An admin deploy stores its jar and records it between a
     * poll's listing and that poll's decisions; the entry carries the epoch, so the poll does not take the
     * file's absence from its older listing for a deletion (it undeployed the cage just deployed).
     */
    private long epoch;

    DeployFolder(Path dir, SwapCoordinator swaps) throws IOException {
        this.dir = dir;
        this.swaps = swaps;
        Files.createDirectories(dir);
    }

    Path dir() {
        return dir;
    }

    /** Deploys every jar present, oldest first, without waiting for them to settle. Used at start. */
    void deployAll() {
        List<Path> jars = listJars();
        jars.sort(Comparator.comparingLong(DeployFolder::modifiedOrZero));
        for (Path jar : jars) {
            try {
                deployFile(new Settled(jar, Stamp.of(jar)));
            } catch (IOException e) {
                LOG.warn("cannot read {}: {}", jar, e.toString());
            }
        }
    }

    /** One poll: handles new, changed (once settled) and deleted jars. Decides under the monitor, swaps outside it. */
    void scan() {
        long listing;
        synchronized (this) {
            listing = ++epoch;
        }
        Map<Path, Stamp> seen = new LinkedHashMap<>();
        for (Path jar : listJars()) {
            try {
                seen.put(jar, Stamp.of(jar));
            } catch (IOException e) {
                // deleted between listing and reading
            }
        }
        List<Settled> settled = new ArrayList<>();
        List<Gone> gone = new ArrayList<>();
        synchronized (this) {
            seen.forEach((jar, stamp) -> {
                Known k = known.get(jar);
                if (k != null && k.stamp().equals(stamp)) {
                    settling.remove(jar);
                } else if (stamp.equals(settling.put(jar, stamp))) { // else new or still changing: look again next poll
                    settling.remove(jar);
                    settled.add(new Settled(jar, stamp));
                }
            });
            for (Path file : new ArrayList<>(known.keySet())) {
                if (!seen.containsKey(file) && known.get(file).epoch() < listing) {
                    Known k = known.remove(file);
                    if (k.cage() != null) {
                        gone.add(new Gone(file, k.cage()));
                    }
                }
            }
            settling.keySet().retainAll(seen.keySet());
        }
        settled.forEach(this::deployFile);
        for (Gone g : gone) {
            boolean backed;
            synchronized (this) {
                backed = isBackedByOtherFile(g.cage(), g.jar()); // asked after the deploys: a settled file may hold it now
            }
            if (!backed) {
                noteIfDone(swaps.undeploy(g.cage(), "folder:" + g.jar().getFileName()));
            }
        }
    }

    private void deployFile(Settled file) {
        Path jar = file.jar();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(jar);
        } catch (IOException e) {
            LOG.warn("cannot read {}: {}", jar, e.toString());
            return;
        }
        DeployRecord record = swaps.deploy(bytes, "folder:" + jar.getFileName());
        String previousCage;
        synchronized (this) {
            if (record.succeeded() && !isLatest(record)) {
                // An admin deploy or undeploy of this cage swapped after this one and has already decided what
                // the folder holds for it; this jar would bring back an older state on the next start.
                LOG.warn("cage {} {} from {} was replaced by a later deploy or undeploy while it was being deployed; {} is deleted",
                        record.cage(), record.version(), jar.getFileName(), jar.getFileName());
                deleteQuietly(jar);
                return;
            }
            Known previous = known.get(jar);
            previousCage = previous == null ? null : previous.cage();
            // A failed jar is remembered by its stamp too, so it is not retried on every poll; the cage it held
            // before (if any) keeps running.
            known.put(jar, new Known(file.stamp(), record.succeeded() ? record.cage() : previousCage, epoch));
        }
        if (record.succeeded() && previousCage != null && !previousCage.equals(record.cage())) {
            noteIfDone(swaps.undeploy(previousCage, "folder:" + jar.getFileName())); // the file now holds another cage
        }
    }

    /**
     * Deploys jar bytes from the admin API and, when the new version serves, stores them in the folder
     * (replacing the file the cage came from, or as {@code <cage>.jar}). The jar is written after the swap and
     * outside any lock, to a temporary name no poll picks up; only the rename into place and the map change
     * happen under the monitor.
     */
    DeployRecord deployFromAdmin(byte[] bytes, String origin) {
        DeployRecord record = swaps.deploy(bytes, origin);
        if (record.succeeded()) {
            store(record, bytes);
        }
        return record;
    }

    /**
     * Rolls a cage back to its previous version (see {@link SwapCoordinator#rollback}) and stores that version's
     * jar in place of the one rolled back from, so a restarted host runs it too.
     *
     * @return null when there is no previous version to go back to
     */
    DeployRecord rollbackFromAdmin(String cage, String origin, String reason) {
        SwapCoordinator.RolledBack rolledBack = swaps.rollback(cage, origin, reason);
        if (rolledBack == null) {
            return null;
        }
        if (rolledBack.record().succeeded()) {
            store(rolledBack.record(), rolledBack.jar());
        }
        return rolledBack.record();
    }

    private void store(DeployRecord record, byte[] bytes) {
        // Unique per call and not *.jar, so neither a poll nor another admin deploy touches it.
        Path tmp = dir.resolve("." + record.cage() + "-" + tempFiles.incrementAndGet() + ".jar.tmp");
        try {
            Files.write(tmp, bytes);
            synchronized (this) {
                if (!isLatest(record)) {
                    // A later deploy or undeploy of this cage has already decided which jar the folder holds.
                    LOG.info("cage {} {} was replaced by a later deploy or undeploy before its jar was stored; not storing it",
                            record.cage(), record.version());
                    deleteQuietly(tmp);
                    return;
                }
                Path target = fileOf(record.cage()).orElse(dir.resolve(record.cage() + ".jar"));
                try {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
                known.put(target, new Known(Stamp.of(target), record.cage(), epoch));
            }
        } catch (IOException e) {
            LOG.error("cage {} {} is active but could not be stored in {}: {}; a restarted host will not run it",
                    record.cage(), record.version(), dir, e.toString());
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the error above already says the folder is in trouble
            }
        }
    }

    /** Undeploys from the admin API and deletes the cage's jar so a restart does not bring it back. */
    DeployRecord undeployFromAdmin(String cage, String origin) {
        DeployRecord record = swaps.undeploy(cage, origin);
        if (!record.succeeded()) {
            return record; // nothing was undeployed (none running, or another swap held the cage): keep the jars
        }
        synchronized (this) {
            if (!isLatest(record)) {
                return record; // a later deploy of this cage has already stored its jar
            }
            for (Path file : filesOf(cage)) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    LOG.error("cage {} is undeployed but its jar {} could not be deleted: {}", cage, file, e.toString());
                }
                known.remove(file);
            }
        }
        return record;
    }

    /** Under the monitor. */
    /**
     * Whether {@code record} is the latest swap of its cage the folder has seen (and notes it if so). Swaps of a
     * cage take their sequence numbers in the order they happen (SwapCoordinator's SWAP ORDER), so a lower number
     * than one already seen means a later swap has overtaken this one on its way here.
     */
    private boolean isLatest(DeployRecord record) {
        Long latest = latestSwap.get(record.cage());
        if (latest != null && latest > record.seq()) {
            return false;
        }
        latestSwap.put(record.cage(), record.seq());
        return true;
    }

    /** Notes a swap the poller made for a file that went or changed, so an admin deploy it overtook stores nothing. */
    private synchronized void noteIfDone(DeployRecord record) {
        if (record.succeeded()) {
            isLatest(record);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", file, e.toString());
        }
    }

    private java.util.Optional<Path> fileOf(String cage) {
        return filesOf(cage).stream().findFirst();
    }

    private List<Path> filesOf(String cage) {
        List<Path> files = new ArrayList<>();
        known.forEach((file, k) -> {
            if (cage.equals(k.cage())) {
                files.add(file);
            }
        });
        return files;
    }

    private boolean isBackedByOtherFile(String cage, Path except) {
        return filesOf(cage).stream().anyMatch(f -> !f.equals(except));
    }

    private List<Path> listJars() {
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.{jar,zip}")) {
            files.forEach(jars::add);
        } catch (NoSuchFileException e) {
            LOG.warn("deploy folder {} is gone", dir);
        } catch (IOException e) {
            LOG.warn("cannot list deploy folder {}: {}", dir, e.toString());
        }
        return jars;
    }

    private static long modifiedOrZero(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }
}
