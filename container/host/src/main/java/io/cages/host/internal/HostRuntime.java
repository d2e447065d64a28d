package io.cages.host.internal;

import io.cages.host.admin.Admin;
import io.cages.host.HostConfig;
import io.cages.host.spi.CageRuntime;
import io.cages.host.spi.Dispatcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.osgi.framework.BundleException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wires the host's parts together and owns their lifecycle. Used through {@link io.cages.host.Host}. */
public final class HostRuntime {

    private static final Logger LOG = LoggerFactory.getLogger(HostRuntime.class);

    private final HostConfig config;
    private final OsgiFramework framework;
    private final CageConfigs configs;
    private final CageRegistry registry;
    private final RequestDispatcher dispatcher;
    private final CageCalls calls;
    private final SwapCoordinator swaps;
    private final DeployFolder folder;
    private final AdminService admin;
    private final ScheduledExecutorService watcher;
    private final HostResources resources;
    private final HealthMonitor health;
    private final CallPermissions permissions;
    /** The metrics being built, or null when they are switched off in host.json. */
    private final java.util.concurrent.CompletableFuture<HostMetrics> metricsBuilt;
    private final java.util.concurrent.atomic.AtomicBoolean metricsBuildStarted = new java.util.concurrent.atomic.AtomicBoolean();

    private HostRuntime(HostConfig config, io.cages.host.spi.ResourceProvider provider) throws Exception {
        this.config = config;
        // Built by startMetrics, once the host serves (see there); requests never wait for them.
        this.metricsBuilt = config.metrics().enabled() ? new java.util.concurrent.CompletableFuture<>() : null;
        // First: a policy file that cannot be used stops the host before anything started.
        this.permissions = CallPermissions.load(CallPermissions.fileBeside(config.resourcesFile()), config.name(), System::getenv);
        Files.createDirectories(config.workDir());
        // Before Felix and any cage: cages may use resources in their start, transports an embedded broker.
        this.resources = HostResources.start(config, provider);
        OsgiFramework started;
        try {
            started = OsgiFramework.start(config.workDir().resolve("felix-cache"));
        } catch (BundleException | RuntimeException e) {
            resources.close();
            throw e;
        }
        this.framework = started;
        this.configs = new CageConfigs(config.cageConfigDir());
        configs.scan();
        this.registry = new CageRegistry(config);
        DeferredEvents requestEvents = new DeferredEvents(EARLY_EVENTS_BEFORE_METRICS, this::buildMetrics);
        VersionWatch versionWatch = new VersionWatch(); // guarded deploys count the new version with or without metrics
        this.dispatcher = new RequestDispatcher(registry,
                RequestEvents.both(versionWatch, metricsBuilt == null ? RequestEvents.NONE : requestEvents), resources, permissions);
        this.calls = new CageCalls(config.name(), config, registry, dispatcher);
        permissions.consultDirectory(calls::remote);
        resources.deliverThrough(new DurableDelivery(registry, dispatcher, calls));
        dispatcher.exportSpans(SpanExport.configured(config, System::getenv));
        DeployHistory history = new DeployHistory(config.historySize());
        List<CageRuntime> runtimes = new ArrayList<>();
        ServiceLoader.load(CageRuntime.class).forEach(runtimes::add);
        Path foreignDir = config.workDir().resolve("foreign-cages");
        deleteLeftovers(foreignDir); // files of versions a previous run left behind (a version deletes its own at stop)
        RevisionFactory revisions = new RevisionFactory(configs, calls, resources, runtimes, foreignDir, history);
        this.swaps = new SwapCoordinator(framework, revisions, registry, history);
        this.folder = new DeployFolder(config.deployDir(), swaps);
        this.admin = new AdminService(registry, history, folder, configs, calls, resources);
        admin.addConfigProblems(permissions::problems);
        admin.guardDeploys(new Rollouts(folder, versionWatch, admin::lastMinuteOf, cage -> {
            CageSlot slot = registry.get(cage);
            CageRevision active = slot == null ? null : slot.active();
            return active == null ? null : active.version();
        }));
        HostConfig.Health healthSettings = config.health();
        this.health = new HealthMonitor(config.name(), healthSettings, new LocalHealth(config.name(), System.currentTimeMillis(),
                registry, healthSettings.periodMs(), healthSettings.timeoutMs() / 2, System::nanoTime), System::currentTimeMillis);
        admin.serveHealth(health);
        if (metricsBuilt != null) {
            java.util.concurrent.CompletableFuture<MetricsHistory> timeline = new java.util.concurrent.CompletableFuture<>();
            admin.serveMetrics(this::buildMetrics, metricsBuilt.thenApply(metrics -> {
                metrics.watch(registry);
                metrics.watch(health);
                metrics.watch(admin);
                // The console's history is built with the metrics, from the same events (nothing before them).
                MetricsHistory recent = new MetricsHistory(System::currentTimeMillis);
                history.listen(record -> {
                    metrics.deployed(record);
                    recent.deployed(record);
                });
                metrics.keepHistory(recent);
                requestEvents.ready(metrics);
                sampleEvery(HISTORY_SAMPLE_MS, recent);
                timeline.complete(recent);
                return metrics;
            }), timeline);
            metricsBuilt.exceptionally(failure -> {
                LOG.error("the host's metrics could not be built; requests are not counted", failure);
                requestEvents.ready(RequestEvents.NONE); // lets go of what it kept
                timeline.completeExceptionally(failure);
                return null;
            });
        }
        this.watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cages-watcher");
            t.setDaemon(true);
            return t;
        });
    }

    private static void deleteLeftovers(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).filter(p -> !p.equals(dir)).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot clear {}: {}", dir, e.toString());
        }
    }

    /** Starts Felix, deploys what the deploy folder holds and starts watching the folders. */
    public static HostRuntime start(HostConfig config, io.cages.host.spi.ResourceProvider provider) throws Exception {
        HostRuntime runtime = new HostRuntime(config, provider);
        runtime.folder.deployAll();
        runtime.watcher.scheduleWithFixedDelay(runtime::poll, config.pollMs(), config.pollMs(), TimeUnit.MILLISECONDS);
        return runtime;
    }

    /**
     * Builds the metrics on a thread of their own, {@value #METRICS_BUILD_DELAY_MS} ms after the host serves (or
     * at the first scrape, or once {@value #EARLY_EVENTS_BEFORE_METRICS} requests wait to be counted, if sooner). A registry and the JVM binders are 0.2-0.6 s of class loading in a cold
     * JVM: built at once, on a 2-core machine they took that from the host's first answers (start to first
     * answer went from 0.84-0.93 s to 0.99-1.24 s for a hello-only host). Requests answered meanwhile are kept
     * (DeferredEvents) and counted once they are built.
     */
    public void startMetrics() {
        if (metricsBuilt != null) {
            watcher.schedule(this::buildMetrics, METRICS_BUILD_DELAY_MS, TimeUnit.MILLISECONDS);
        }
    }

    static final long METRICS_BUILD_DELAY_MS = 3000;
    /** How often the console's history samples each cage's in-flight and queued counts. */
    static final long HISTORY_SAMPLE_MS = 2000;
    /** Requests answered before the metrics exist that make the host build them at once (a few MB of events). */
    static final int EARLY_EVENTS_BEFORE_METRICS = 20_000;

    private void sampleEvery(long ms, MetricsHistory recent) {
        try {
            watcher.scheduleWithFixedDelay(() -> recent.sample(registry), 0, ms, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            // built while the host stops: nothing left to sample
        }
    }

    /** Starts building the metrics, once. */
    private void buildMetrics() {
        if (metricsBuilt == null || !metricsBuildStarted.compareAndSet(false, true)) {
            return;
        }
        Thread.ofPlatform().daemon().name("cages-metrics-start").start(() -> {
            try {
                metricsBuilt.complete(new HostMetrics(config.name(), this::resourceStatus));
            } catch (Throwable t) {
                metricsBuilt.completeExceptionally(t);
            }
        });
    }

    /** For the pool gauges; only asked when the metrics are scraped, long after the resources started. */
    private com.fasterxml.jackson.databind.JsonNode resourceStatus() {
        return resources.status();
    }

    /** Reads changed cage config files now; serialized with the poller's own scans. */
    public void scanCageConfigs() {
        configs.scan();
    }

    private void poll() {
        try {
            configs.scan();
            resources.scan();
            permissions.scan();
            folder.scan();
        } catch (RuntimeException e) {
            LOG.error("watching {} / {} failed; trying again next poll", config.deployDir(), config.cageConfigDir(), e);
        }
    }

    public Dispatcher dispatcher() {
        return dispatcher;
    }

    public Admin admin() {
        return admin;
    }

    /** The scheduled jobs of the transport that runs them, for the admin API. */
    public void offerJobs(io.cages.host.spi.JobsAdmin jobs) {
        admin.offerJobs(jobs);
    }

    /** Where the admin listener is bound, for the admin API and the flock directory. */
    public void offerAdminAddress(java.net.InetSocketAddress bound) {
        admin.offerAdminAddress(bound);
    }

    /** Config files a transport reads itself, added to the admin API's config problems. */
    public void addConfigProblems(java.util.function.Supplier<java.util.List<io.cages.host.admin.ConfigProblem>> source) {
        admin.addConfigProblems(source);
    }

    /** Starts the health monitor: probes this host's cages at once, then every period, and the flock's when offered. */
    public void startHealth() {
        health.start();
    }

    /** This host's answer to a health probe from another host. */
    public io.cages.host.spi.HostHealth localHealth() {
        return health.local();
    }

    /** How the health monitor reaches the other hosts; offered by at most one transport. */
    public void offerFlockProbe(io.cages.host.spi.FlockProbe probe) {
        health.offer(probe);
    }

    /** Where calls by name to cages this host does not run go; offered by at most one transport. */
    public void offerRemoteCalls(io.cages.host.spi.RemoteCalls remoteCalls) {
        calls.offer(remoteCalls);
    }

    public Path deployDir() {
        return folder.dir();
    }

    /** Cage bundles installed in Felix, draining ones included. */
    public int installedBundles() {
        return framework.installedBundleCount();
    }

    /** Handler invocations so far, host-wide. */
    public long executedRequests() {
        return dispatcher.executedCount();
    }

    /** Waits until versions replaced by swaps are uninstalled. */
    public boolean awaitRetirements(Duration timeout) {
        return swaps.awaitRetirements(timeout);
    }

    /** First half of a clean shutdown: refuse new requests, wait for admitted ones. */
    public void drain(Duration timeout) {
        health.draining();
        watcher.shutdownNow();
        dispatcher.stopAccepting();
        try {
            if (!dispatcher.awaitIdle(timeout.toMillis())) {
                LOG.warn("requests still running after the shutdown limit of {} ms", timeout.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Second half: stop every cage and the framework. */
    public void stop(Duration timeout) {
        health.close();
        swaps.retireAll(timeout);
        dispatcher.close();
        framework.stop(timeout);
    }

    /** Last: after the transports closed, as a JMS transport may consume from the embedded broker. */
    public void closeResources() {
        resources.close();
        if (metricsBuilt != null) {
            // Closed once built, even when the start failed before installing them (their GC listeners).
            metricsBuilt.thenAccept(HostMetrics::close);
        }
    }
}
