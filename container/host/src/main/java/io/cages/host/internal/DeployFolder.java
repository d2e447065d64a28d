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
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deploy folder: a jar dropped in is deployed, a replaced jar updates its cage, a deleted jar undeploys
 * it. Polled rather than watched with WatchService, because a jar being copied in must be left alone until
 * it stops changing (same size and time on two polls), which a watch event cannot tell.
 *
 * <p>Admin deploys write their jar here too (atomically, by rename), so the folder always holds what a
 * restarted host will run.
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

    /** What a file in the folder stands for: its stamp when handled, and the cage deployed from it. */
    private record Known(Stamp stamp, String cage) {
    }

    private final Path dir;
    private final SwapCoordinator swaps;
    // CONCURRENCY: all fields below are guarded by this.
    private final Map<Path, Known> known = new HashMap<>();
    private final Map<Path, Stamp> settling = new HashMap<>();

    DeployFolder(Path dir, SwapCoordinator swaps) throws IOException {
        this.dir = dir;
        this.swaps = swaps;
        Files.createDirectories(dir);
    }

    Path dir() {
        return dir;
    }

    /** Deploys every jar present, oldest first, without waiting for them to settle. Used at start. */
    synchronized void deployAll() {
        List<Path> jars = listJars();
        jars.sort(Comparator.comparingLong(DeployFolder::modifiedOrZero));
        for (Path jar : jars) {
            try {
                deployFile(jar, Stamp.of(jar));
            } catch (IOException e) {
                LOG.warn("cannot read {}: {}", jar, e.toString());
            }
        }
    }

    /** One poll: handles new, changed (once settled) and deleted jars. */
    synchronized void scan() {
        List<Path> jars = listJars();
        for (Path jar : jars) {
            Stamp stamp;
            try {
                stamp = Stamp.of(jar);
            } catch (IOException e) {
                continue; // deleted between listing and reading
            }
            Known k = known.get(jar);
            if (k != null && k.stamp().equals(stamp)) {
                settling.remove(jar);
                continue;
            }
            if (!stamp.equals(settling.put(jar, stamp))) {
                continue; // new or still changing: look again next poll
            }
            settling.remove(jar);
            deployFile(jar, stamp);
        }
        for (Path gone : new ArrayList<>(known.keySet())) {
            if (!jars.contains(gone)) {
                Known k = known.remove(gone);
                if (k.cage() != null && !isBackedByOtherFile(k.cage(), gone)) {
                    swaps.undeploy(k.cage(), "folder:" + gone.getFileName());
                }
            }
        }
        settling.keySet().retainAll(jars);
    }

    private void deployFile(Path jar, Stamp stamp) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(jar);
        } catch (IOException e) {
            LOG.warn("cannot read {}: {}", jar, e.toString());
            return;
        }
        Known previous = known.get(jar);
        String previousCage = previous == null ? null : previous.cage();
        DeployRecord record = swaps.deploy(bytes, "folder:" + jar.getFileName());
        // A failed jar is remembered by its stamp too, so it is not retried on every poll; the cage it held
        // before (if any) keeps running.
        known.put(jar, new Known(stamp, record.succeeded() ? record.cage() : previousCage));
        if (record.succeeded() && previousCage != null && !previousCage.equals(record.cage())) {
            swaps.undeploy(previousCage, "folder:" + jar.getFileName()); // the file now holds another cage
        }
    }

    /**
     * Deploys jar bytes from the admin API and, when the new version serves, stores them in the folder
     * (replacing the file the cage came from, or as {@code <cage>.jar}).
     */
    synchronized DeployRecord deployFromAdmin(byte[] bytes, String origin) {
        DeployRecord record = swaps.deploy(bytes, origin);
        if (!record.succeeded()) {
            return record;
        }
        Path target = fileOf(record.cage()).orElse(dir.resolve(record.cage() + ".jar"));
        try {
            Path tmp = dir.resolve("." + target.getFileName() + ".tmp");
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            known.put(target, new Known(Stamp.of(target), record.cage()));
        } catch (IOException e) {
            LOG.error("cage {} {} is active but could not be stored in {}: {}; a restarted host will not run it",
                    record.cage(), record.version(), dir, e.toString());
        }
        return record;
    }

    /** Undeploys from the admin API and deletes the cage's jar so a restart does not bring it back. */
    synchronized DeployRecord undeployFromAdmin(String cage, String origin) {
        DeployRecord record = swaps.undeploy(cage, origin);
        for (Path file : filesOf(cage)) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.error("cage {} is undeployed but its jar {} could not be deleted: {}", cage, file, e.toString());
            }
            known.remove(file);
        }
        return record;
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
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.jar")) {
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
