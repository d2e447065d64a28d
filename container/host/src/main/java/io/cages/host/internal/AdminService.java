package io.cages.host.internal;

import io.cages.host.admin.Admin;
import io.cages.host.admin.CageInfo;
import io.cages.host.admin.ConfigProblem;
import io.cages.host.admin.DeployRecord;
import io.cages.host.admin.FlockMember;
import io.cages.host.spi.FlockView;
import java.util.List;

/** The {@link Admin} operations over the registry, the deploy folder and the configs. */
final class AdminService implements Admin {

    private final CageRegistry registry;
    private final DeployHistory history;
    private final DeployFolder folder;
    private final CageConfigs configs;

    private final CageCalls calls;
    private final HostResources resources;
    /** Null when metrics are switched off. */
    private volatile java.util.concurrent.CompletableFuture<HostMetrics> metrics;
    private volatile Runnable buildMetricsNow = () -> { };
    private final List<java.util.function.Supplier<List<ConfigProblem>>> moreProblems = new java.util.concurrent.CopyOnWriteArrayList<>();

    AdminService(CageRegistry registry, DeployHistory history, DeployFolder folder, CageConfigs configs, CageCalls calls,
                 HostResources resources) {
        this.resources = resources;
        this.calls = calls;
        this.registry = registry;
        this.history = history;
        this.folder = folder;
        this.configs = configs;
    }

    /**
     * The metrics {@link #metrics(String)} serves once built; none (metrics switched off) until this is called.
     * {@code buildNow} starts building them if that has not started yet (a scrape does not wait for the delay).
     */
    void serveMetrics(Runnable buildNow, java.util.concurrent.CompletableFuture<HostMetrics> hostMetrics,
                      java.util.concurrent.CompletableFuture<MetricsHistory> recent) {
        this.buildMetricsNow = buildNow;
        this.metrics = hostMetrics;
        this.recent = recent;
    }

    /** The console's history, built with the metrics; null when metrics are switched off. */
    private volatile java.util.concurrent.CompletableFuture<MetricsHistory> recent;

    @Override
    public com.fasterxml.jackson.databind.JsonNode metricsHistory(String cage, String operation, String window) {
        java.util.concurrent.CompletableFuture<MetricsHistory> h = recent;
        if (h == null) {
            return null;
        }
        MetricsHistory.Window w = MetricsHistory.Window.parse(window);
        buildMetricsNow.run();
        com.fasterxml.jackson.databind.node.ObjectNode view = h.join().view(cage, operation, w);
        view.set("series", h.join().series());
        return view;
    }

    @Override
    public io.cages.host.admin.MetricsText metrics(String accept) {
        java.util.concurrent.CompletableFuture<HostMetrics> m = metrics;
        if (m == null) {
            return null;
        }
        buildMetricsNow.run();
        return m.join().scrape(accept);
    }

    @Override
    public List<CageInfo> cages() {
        return registry.describe();
    }

    @Override
    public List<DeployRecord> history() {
        return history.all();
    }

    @Override
    public DeployRecord deploy(byte[] jar, String origin) {
        return folder.deployFromAdmin(jar, origin);
    }

    private volatile Rollouts rollouts;

    /** Guarded deploys go through {@code guarded}; set once at start. */
    void guardDeploys(Rollouts guarded) {
        this.rollouts = guarded;
    }

    /** The cage's last minute from the console's history: a guarded deploy's baseline (none with metrics off). */
    io.cages.host.admin.Rollout.Sample lastMinuteOf(String cage) {
        java.util.concurrent.CompletableFuture<MetricsHistory> h = recent;
        if (h == null || !h.isDone() || h.isCompletedExceptionally()) {
            return io.cages.host.admin.Rollout.Sample.NONE;
        }
        return h.join().lastMinuteOf(cage);
    }

    @Override
    public io.cages.host.admin.Rollout deployGuarded(byte[] jar, String origin, io.cages.host.admin.WatchRule rule) {
        return rollouts.deploy(jar, origin, rule);
    }

    @Override
    public DeployRecord rollback(String cage, String origin) {
        return folder.rollbackFromAdmin(cage, origin, null);
    }

    @Override
    public List<io.cages.host.admin.Rollout> rollouts() {
        Rollouts r = rollouts;
        return r == null ? List.of() : r.all();
    }

    @Override
    public DeployRecord undeploy(String cage, String origin) {
        return folder.undeployFromAdmin(cage, origin);
    }

    @Override
    public List<ConfigProblem> configProblems() {
        List<ConfigProblem> all = new java.util.ArrayList<>(configs.problems());
        all.addAll(resources.problems());
        moreProblems.forEach(source -> all.addAll(source.get()));
        return all;
    }

    private volatile io.cages.host.spi.JobsAdmin jobs;

    @Override
    public List<io.cages.host.admin.JobInfo> jobs() {
        io.cages.host.spi.JobsAdmin j = jobs;
        return j == null ? List.of() : j.jobs();
    }

    @Override
    public io.cages.host.admin.JobRun runJob(String cage, String name) {
        io.cages.host.spi.JobsAdmin j = jobs;
        return j == null ? null : j.runJob(cage, name);
    }

    private volatile java.net.InetSocketAddress adminAddress;

    @Override
    public java.net.InetSocketAddress adminAddress() {
        return adminAddress;
    }

    void offerAdminAddress(java.net.InetSocketAddress bound) {
        adminAddress = bound;
    }

    void offerJobs(io.cages.host.spi.JobsAdmin offered) {
        if (jobs != null) {
            throw new IllegalStateException("another transport already offers jobs");
        }
        jobs = offered;
    }

    /** Config problems of files a transport reads itself. */
    void addConfigProblems(java.util.function.Supplier<List<ConfigProblem>> source) {
        moreProblems.add(source);
    }

    @Override
    public com.fasterxml.jackson.databind.JsonNode resources() {
        return resources.status();
    }

    private volatile HealthMonitor health;

    void serveHealth(HealthMonitor monitor) {
        this.health = monitor;
    }

    @Override
    public io.cages.host.admin.HealthView health() {
        HealthMonitor h = health;
        return h == null ? null : h.view();
    }

    @Override
    public List<FlockMember> flock() {
        List<FlockMember> members = calls.remote() instanceof FlockView view ? view.members() : List.of();
        io.cages.host.admin.HealthView seen = health();
        if (seen == null || members.isEmpty()) {
            return members;
        }
        // Each member with its cages' statuses, as the health monitor last saw them.
        java.util.Map<String, java.util.Map<String, io.cages.host.admin.HealthEntry>> byHost = new java.util.HashMap<>();
        for (io.cages.host.admin.HealthEntry entry : seen.entries()) {
            byHost.computeIfAbsent(entry.host(), h -> new java.util.TreeMap<>()).put(entry.cage(), entry);
        }
        return members.stream().map(m -> m.withHealth(byHost.getOrDefault(m.name(), java.util.Map.of()))).toList();
    }

    @Override
    public com.fasterxml.jackson.databind.JsonNode durableCalls(String cage, String status, int limit) throws io.cages.api.CageException {
        return resources.durableCalls(cage, status, limit);
    }

    @Override
    public io.cages.host.admin.DurableCallCounts durableCallCounts() {
        return resources.durableCallCounts();
    }

    @Override
    public boolean retryDurableCall(String id) throws io.cages.api.CageException {
        return resources.retryDurableCall(id);
    }

    @Override
    public boolean cancelDurableCall(String id) throws io.cages.api.CageException {
        return resources.cancelDurableCall(id);
    }
}
