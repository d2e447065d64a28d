package io.cages.transport.jobs.internal;

import io.cages.host.HostConfig;
import io.cages.host.admin.ConfigProblem;
import io.cages.host.spi.Dispatcher;
import io.cages.host.spi.SettingsException;
import io.cages.host.admin.JobInfo;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job files ({@code <cage>.json} in the jobs folder), reloaded when they change, as cage config files are.
 *
 * <p>A file is applied whole or not at all: a rejected one (its file, key and reason go to the host's config
 * problems) leaves that cage's running jobs as they were. On a change, jobs whose spec is unchanged keep running
 * untouched (schedule, counters, runs in flight); changed ones are stopped and started anew; removed ones are
 * stopped (their runs in flight finish). A deleted file stops the cage's jobs.
 */
public final class JobConfigs {

    private static final Logger LOG = LoggerFactory.getLogger(JobConfigs.class);

    private final Path dir;
    private final Ticker ticker;
    private final Dispatcher dispatcher;
    private final LastFired lastFired;
    private final Function<String, String> env;
    private final Map<String, ConfigProblem> problems = new ConcurrentHashMap<>();
    // CONCURRENCY: the maps below are written by scan() and close() only (synchronized); readers copy the values.
    private final Map<Path, byte[]> lastSeen = new HashMap<>();
    private final Map<String, JobRunner> jobs = new ConcurrentHashMap<>();
    private final Map<String, FolderWatch> folders = new ConcurrentHashMap<>();

    private final FlockGate gate;

    public JobConfigs(Path dir, Ticker ticker, Dispatcher dispatcher, LastFired lastFired, Function<String, String> env) {
        this(dir, ticker, dispatcher, lastFired, env, null);
    }

    /** With {@code gate} (null: none) for jobs declared {@code onePerFlock}. */
    public JobConfigs(Path dir, Ticker ticker, Dispatcher dispatcher, LastFired lastFired, Function<String, String> env,
                      FlockGate gate) {
        this.gate = gate;
        this.dir = dir;
        this.ticker = ticker;
        this.dispatcher = dispatcher;
        this.lastFired = lastFired;
        this.env = env;
    }

    public List<ConfigProblem> problems() {
        return List.copyOf(problems.values());
    }

    public List<JobInfo> jobs() {
        return jobs.values().stream().map(JobRunner::status)
                .sorted(Comparator.comparing(JobInfo::cage).thenComparing(JobInfo::name)).toList();
    }

    /** The job {@code cage/name}, or null. */
    public JobRunner job(String cage, String name) {
        return jobs.get(cage + "/" + name);
    }

    public List<FolderWatch> folders() {
        return List.copyOf(folders.values());
    }

    /** Reads changed files and applies them. Calls are serialized. */
    public synchronized void scan() {
        if (gate != null) {
            gate.observe(jobs.values().stream().map(JobRunner::spec).filter(JobSpec::onePerFlock).map(JobSpec::cage)
                    .collect(java.util.stream.Collectors.toSet()), ticker.now());
        }
        Set<Path> present = new HashSet<>();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
                for (Path file : files) {
                    present.add(file);
                    check(file);
                }
            } catch (IOException e) {
                LOG.warn("cannot list the jobs folder {}: {}", dir, e.toString());
                return;
            }
        }
        for (Path gone : new ArrayList<>(lastSeen.keySet())) {
            if (!present.contains(gone)) {
                lastSeen.remove(gone);
                problems.remove(gone.toString());
                String cage = cageOf(gone);
                if (cage != null) {
                    LOG.info("jobs file {} deleted: the jobs of cage {} stop", gone, cage);
                    apply(cage, JobsFile.EMPTY);
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
        JobsFile parsed;
        try {
            parsed = JobsFile.read(file, cage, env, gate != null);
        } catch (SettingsException e) {
            reject(file, e.problem());
            return;
        }
        problems.remove(file.toString());
        apply(cage, parsed);
    }

    private void apply(String cage, JobsFile file) {
        Map<String, JobSpec> wanted = new LinkedHashMap<>();
        file.jobs().forEach(j -> wanted.put(j.id(), j));
        for (JobRunner running : List.copyOf(jobs.values())) {
            JobSpec spec = running.spec();
            if (spec.cage().equals(cage) && !spec.equals(wanted.get(spec.id()))) {
                running.stop();
                jobs.remove(spec.id());
                LOG.info("job {} stopped", spec.id());
            }
        }
        for (JobSpec spec : wanted.values()) {
            if (!jobs.containsKey(spec.id())) {
                JobRunner runner = new JobRunner(spec, ticker, dispatcher, lastFired, gate);
                jobs.put(spec.id(), runner);
                runner.start();
                LOG.info("job {} started: {}", spec.id(), runner.status().schedule());
            }
        }
        Map<String, FolderSpec> wantedFolders = new LinkedHashMap<>();
        file.folders().forEach(f -> wantedFolders.put(f.id(), f));
        for (FolderWatch watch : List.copyOf(folders.values())) {
            FolderSpec spec = watch.spec();
            if (spec.cage().equals(cage) && !spec.equals(wantedFolders.get(spec.id()))) {
                watch.stop();
                folders.remove(spec.id());
                LOG.info("folder watch {} stopped", spec.id());
            }
        }
        for (FolderSpec spec : wantedFolders.values()) {
            if (!folders.containsKey(spec.id())) {
                FolderWatch watch = new FolderWatch(spec, dispatcher);
                try {
                    watch.start();
                } catch (IOException e) {
                    LOG.error("folder watch {} cannot start: {}", spec.id(), e.toString());
                    continue;
                }
                folders.put(spec.id(), watch);
                LOG.info("folder watch {} started on {}", spec.id(), spec.path());
            }
        }
    }

    /** Stops every job and folder watch; waits up to {@code millis} for folder handlings in progress. */
    public synchronized void close(long millis) {
        jobs.values().forEach(JobRunner::stop);
        folders.values().forEach(FolderWatch::stop);
        long until = System.nanoTime() + millis * 1_000_000L;
        for (FolderWatch watch : folders.values()) {
            try {
                if (!watch.awaitEnd(Math.max(0, (until - System.nanoTime()) / 1_000_000L))) {
                    LOG.warn("folder watch {} did not end in time", watch.spec().id());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void reject(Path file, String reason) {
        ConfigProblem previous = problems.put(file.toString(), new ConfigProblem(file.toString(), reason, Instant.now()));
        if (previous == null || !previous.reason().equals(reason)) {
            LOG.error("jobs file {} rejected: {}; the jobs it had keep running", file, reason);
        }
    }

    private static String cageOf(Path file) {
        String name = file.getFileName().toString();
        String cage = name.substring(0, name.length() - ".json".length());
        return HostConfig.isValidCageName(cage) ? cage : null;
    }
}
