package io.cages.host.spi;

import io.cages.host.HostConfig;
import io.cages.host.admin.ConfigProblem;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A folder of per-cage JSON files ({@code <cage>.json}), scanned for changes: the cage config folder, the jobs
 * folder. The folder reads each file, and hands one whose bytes changed to its {@link Listener}; a
 * rejected file stays a problem (file, reason, time) until it is fixed or deleted, and is handed over again at
 * each scan, since what it depends on outside itself (an environment variable) may have changed. A deleted
 * file is reported once.
 *
 * <p>Scans are serialized; callbacks run on the scanning thread, one file at a time.
 */
public final class CageFileFolder {

    private static final Logger LOG = LoggerFactory.getLogger(CageFileFolder.class);

    /** What the files of a folder mean. */
    public interface Listener {

        /**
         * Applies a new or changed file, all or nothing.
         *
         * @throws IllegalArgumentException whose message says what is wrong; what the file had set stays
         */
        void changed(String cage, Path file, byte[] content);

        /** The file was deleted. */
        void deleted(String cage, Path file);
    }

    private final Path dir;
    private final String kind;
    /** The log line of a rejection, with the file as its first argument (log readers and tests key on it). */
    private final String rejectedLine;
    private final Listener listener;
    private final Map<String, ConfigProblem> problems = new ConcurrentHashMap<>();
    // CONCURRENCY: only touched by scan(), which is synchronized.
    private final Map<Path, byte[]> lastSeen = new HashMap<>();

    /**
     * @param kind        what a file is, for log lines ("config file")
     * @param onRejection what happens when one is rejected, for log lines ("the previous config stays in force")
     */
    public CageFileFolder(Path dir, String kind, String onRejection, Listener listener) {
        this.dir = dir;
        this.kind = kind;
        this.rejectedLine = kind + " {} rejected: {}; " + onRejection;
        this.listener = listener;
    }

    public Path dir() {
        return dir;
    }

    public List<ConfigProblem> problems() {
        return List.copyOf(problems.values());
    }

    /** Reads the folder and applies what changed. Safe to call from any thread. */
    public synchronized void scan() {
        Set<Path> present = new HashSet<>();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> listing = Files.newDirectoryStream(dir, "*.json")) {
                for (Path file : listing) {
                    present.add(file);
                    check(file);
                }
            } catch (IOException e) {
                LOG.warn("cannot list {} folder {}: {}", kind, dir, e.toString());
                return;
            }
        }
        for (Path gone : new ArrayList<>(lastSeen.keySet())) {
            if (!present.contains(gone)) {
                lastSeen.remove(gone);
                problems.remove(gone.toString());
                String cage = cageOf(gone);
                if (cage != null) {
                    listener.deleted(cage, gone);
                }
            }
        }
    }

    private void check(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            reject(file, "cannot read: " + e.getMessage());
            return;
        }
        byte[] previous = lastSeen.put(file, bytes);
        if (previous != null && Arrays.equals(previous, bytes) && !problems.containsKey(file.toString())) {
            return;
        }
        String cage = cageOf(file);
        if (cage == null) {
            reject(file, "the file name must be <cage>.json with a valid cage name");
            return;
        }
        try {
            listener.changed(cage, file, bytes);
        } catch (IllegalArgumentException e) {
            reject(file, e.getMessage());
            return;
        }
        problems.remove(file.toString());
    }

    private void reject(Path file, String reason) {
        ConfigProblem previous = problems.get(file.toString());
        if (previous == null || !previous.reason().equals(reason)) { // a file rejected again as before keeps its first time
            problems.put(file.toString(), new ConfigProblem(file.toString(), reason, Instant.now()));
            LOG.error(rejectedLine, file, reason);
        }
    }

    private static String cageOf(Path file) {
        String name = file.getFileName().toString();
        String cage = name.substring(0, name.length() - ".json".length());
        return HostConfig.isValidCageName(cage) ? cage : null;
    }
}
