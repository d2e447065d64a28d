package io.cages.transport.jobs.internal;

import io.cages.host.admin.ConfigProblem;
import io.cages.host.spi.CageFileFolder;
import io.cages.host.spi.Dispatcher;
import io.cages.host.spi.SettingsException;
import io.cages.host.admin.JobInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    private final Ticker ticker;
    private final Dispatcher dispatcher;
    private final LastFired lastFired;
    private final Function<String, String> env;
    private final CageFileFolder folder;
    // CONCURRENCY: the maps below are written by scan() and close() only (synchronized); readers copy the values.
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
        this.folder = new CageFileFolder(dir, "jobs file", "the jobs it had keep running", new CageFileFolder.Listener() {
            @Override
            public void changed(String cage, Path file, byte[] content) {
                JobConfigs.this.changed(cage, file); // JobsFile reads the file itself, with its settings reader
            }

            @Override
            public void deleted(String cage, Path file) {
                JobConfigs.this.deleted(cage, file);
            }
        });
        this.ticker = ticker;
        this.dispatcher = dispatcher;
        this.lastFired = lastFired;
        this.env = env;
    }

    public List<ConfigProblem> problems() {
        return folder.problems();
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
        folder.scan();
    }

    private void changed(String cage, Path file) {
        try {
            apply(cage, JobsFile.read(file, cage, env, gate != null));
        } catch (SettingsException e) {
            throw new IllegalArgumentException(e.problem(), e);
        }
    }

    private void deleted(String cage, Path file) {
        LOG.info("jobs file {} deleted: the jobs of cage {} stop", file, cage);
        apply(cage, JobsFile.EMPTY);
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
}
