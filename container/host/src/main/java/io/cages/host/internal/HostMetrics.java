package io.cages.host.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.cages.api.CageException;
import io.cages.api.ErrorCode;
import io.cages.host.admin.Admin;
import io.cages.host.admin.DeployRecord;
import io.cages.host.admin.DurableCallCounts;
import io.cages.host.admin.JobInfo;
import io.cages.host.admin.MetricsText;
import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.Reply;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The host's one meter registry (Prometheus behind it) and the request, swap, pool, job, durable call and JVM
 * meters in it. See the README's "Metrics" for the names and tags.
 *
 * <p>The request path never goes through the registry's builders: the meters of each (cage, operation, version,
 * transport, outcome) are made once and kept in a map, so recording a request is a map look-up and a timer
 * update. Gauges that depend on what is deployed (per-cage in flight and queued, resource pools) and the counts
 * that jobs and durable calls keep themselves are refreshed when the registry is scraped, not on the request path.
 */
final class HostMetrics implements RequestEvents, AutoCloseable {

    static final String OK = "ok";
    static final String NONE = "none";
    /** Replaces operation names once this many request meter sets exist: operation names come from callers. */
    static final int MAX_REQUEST_METERS = 10_000;
    static final String OTHER = "_other";

    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPENMETRICS_TEXT = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ConcurrentHashMap<Key, RequestMeters> requestMeters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Key, Counter> refused = new ConcurrentHashMap<>();
    private final JvmGcMetrics gc = new JvmGcMetrics();
    /** The cages whose in-flight and queued counts are gauged; null until {@link #watch}. */
    private volatile CageRegistry cages;
    private final Supplier<JsonNode> resources;
    private final MultiGauge inFlight;
    private final MultiGauge queued;
    private final ConcurrentHashMap<String, MultiGauge> pools = new ConcurrentHashMap<>();
    /** Jobs and durable calls, read at each scrape; null until {@link #watch(Admin)}. */
    private volatile Admin admin;
    private final Map<List<String>, JobMeters> jobMeters = new java.util.HashMap<>();
    private final MultiGauge jobsRunning;
    private final MultiGauge durableStored;
    /** The durable call counts of the last scrape, which the durable call meters read. */
    private volatile DurableCallCounts durable = DurableCallCounts.NONE;
    private boolean durableMetersRegistered;
    /** The console's history, fed with the meters; null when none is kept. */
    private volatile MetricsHistory history;

    HostMetrics(String hostName, Supplier<JsonNode> resources) {
        this.resources = resources;
        registry.config().commonTags("host", hostName);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        inFlight = MultiGauge.builder("cages.requests.in_flight").description("requests running, per cage").register(registry);
        queued = MultiGauge.builder("cages.requests.queued").description("requests waiting for a slot, per cage").register(registry);
        jobsRunning = MultiGauge.builder("cages.job.running").description("runs of the job in flight now").register(registry);
        durableStored = MultiGauge.builder("cages.durable.calls")
                .description("stored durable calls this host relays, per target cage and status").register(registry);
    }

    void watch(CageRegistry registry) {
        this.cages = registry;
    }

    /**
     * Counts the health monitor's probes of other hosts by outcome: {@code answered}, {@code silent} (no answer
     * within the timeout, or refused) and {@code gone} (a host known before is no longer in the membership).
     * Read from the monitor's own counters when scraped: nothing on the probe path.
     */
    void watch(HealthMonitor health) {
        String[] outcomes = {"answered", "silent", "gone"};
        int[] kinds = {HealthMonitor.ANSWERED, HealthMonitor.SILENT, HealthMonitor.GONE};
        for (int i = 0; i < outcomes.length; i++) {
            int kind = kinds[i];
            io.micrometer.core.instrument.FunctionCounter.builder("cages.health.probes", health, h -> h.outcomes(kind))
                    .description("the health monitor's probes of other hosts, by outcome")
                    .tag("outcome", outcomes[i]).register(registry);
        }
    }

    /**
     * Feeds the console's {@code history} from this object's request events, through the same per-request look-up
     * as the meters (the history's series is kept with them) instead of a look-up of its own. Set before the
     * first request event reaches this object.
     */
    void keepHistory(MetricsHistory history) {
        this.history = history;
    }

    /** Jobs ({@link Admin#jobs}) and durable calls ({@link Admin#durableCallCounts}), read when scraped. */
    void watch(Admin admin) {
        this.admin = admin;
    }

    // --- request path ---

    @Override
    public void refused(InboundRequest in, boolean cageKnown, ErrorCode code) {
        Key key = cageKnown
                ? new Key(in.cage(), operationTag(in), NONE, transport(in), outcome(code))
                : new Key(OTHER, OTHER, NONE, transport(in), outcome(code));
        Counter counter = refused.get(key);
        if (counter == null) {
            counter = refused.computeIfAbsent(key, k -> Counter.builder("cages.requests.refused")
                    .description("requests answered without running: no such cage, shutting down, deadline passed on arrival, or the cage's limits full")
                    .tags("cage", k.cage, "operation", k.operation, "transport", k.transport, "reason", k.outcome)
                    .register(registry));
        }
        counter.increment();
        MetricsHistory h = history;
        if (h != null) {
            h.refused(in, cageKnown, code);
        }
    }

    @Override
    public void finished(InboundRequest in, String version, CompletableFuture<Reply> result, long took) {
        Key key = new Key(in.cage(), in.operation(), version == null ? NONE : version, transport(in), outcome(result));
        RequestMeters meters = requestMeters.get(key);
        if (meters == null) {
            if (requestMeters.size() >= MAX_REQUEST_METERS) {
                key = new Key(key.cage, OTHER, key.version, key.transport, key.outcome);
            }
            boolean[] made = new boolean[1];
            meters = requestMeters.computeIfAbsent(key, k -> {
                made[0] = true;
                return newRequestMeters(k);
            });
            if (made[0]) {
                dropRetiredVersions(); // a new key is rare: most often a new version's first requests
            }
        }
        meters.record(took);
        if (meters.series != null) {
            history.answered(meters.series, meters.error, took);
        }
    }

    /**
     * Removes the request meters of versions this host no longer runs (neither active nor draining), so a cage
     * swapped a thousand times does not leave a thousand versions' histograms in the registry. Their series end
     * in Prometheus as a retired version's would anyway. Runs when new meters are made, so at most the versions
     * of the last swap or two are kept beyond the live ones.
     */
    private void dropRetiredVersions() {
        CageRegistry registered = cages;
        if (registered == null) {
            return;
        }
        Set<String> live = new HashSet<>();
        for (CageSlot slot : registered.all()) {
            CageRevision active = slot.active();
            if (active != null) {
                live.add(slot.name() + "@" + active.version());
            }
            slot.draining().forEach(r -> live.add(slot.name() + "@" + r.version()));
        }
        requestMeters.entrySet().removeIf(e -> {
            Key k = e.getKey();
            if (k.version.equals(NONE) || live.contains(k.cage + "@" + k.version)) {
                return false;
            }
            e.getValue().removeFrom(registry);
            return true;
        });
    }

    private String operationTag(InboundRequest in) {
        return refused.size() < MAX_REQUEST_METERS ? in.operation() : OTHER;
    }

    private RequestMeters newRequestMeters(Key k) {
        Tags tags = Tags.of("cage", k.cage, "operation", k.operation, "version", k.version, "transport", k.transport,
                "outcome", k.outcome);
        Timer all = timer("cages.request.duration", "requests of every transport, by outcome (ok or the error code)", tags);
        Timer byTransport = switch (k.transport) {
            case "http" -> timer("http.server.request.duration", "requests of the HTTP transport", tags);
            case "rpc" -> timer("rpc.server.call.duration", "calls of the RPC transport", tags);
            default -> null;
        };
        Counter misses = ErrorCode.DEADLINE_EXCEEDED.name().toLowerCase(Locale.ROOT).equals(k.outcome)
                ? Counter.builder("cages.request.deadline.misses").description("requests answered deadline_exceeded")
                        .tags("cage", k.cage, "operation", k.operation, "version", k.version, "transport", k.transport)
                        .register(registry)
                : null;
        MetricsHistory h = history;
        MetricsHistory.Series series = h == null ? null : h.series(k.cage, k.operation);
        return new RequestMeters(all, byTransport, misses, series, OK.equals(k.outcome) ? null : MetricsHistory.codeOf(k.outcome));
    }

    private Timer timer(String name, String description, Tags tags) {
        return Timer.builder(name).description(description).tags(tags)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1).dividedBy(10))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry);
    }

    /**
     * The transport a request came by: its caller's prefix ({@code http:...}, {@code rpc:...}); else a call by
     * name (the caller is the calling cage's name), over the transport its {@link InboundRequest#TRANSPORT}
     * attribute names (RPC sets it), or "local" without one.
     */
    static String transport(InboundRequest in) {
        String fromCaller = transport(in.caller());
        if (fromCaller.equals("local")) {
            String named = in.attributes().get(InboundRequest.TRANSPORT);
            return named != null ? named : fromCaller;
        }
        return fromCaller;
    }

    /** The transport a caller's prefix names; "local" for a bare name (a call by name). */
    static String transport(String caller) {
        if (caller.startsWith("http:")) {
            return "http";
        }
        if (caller.startsWith("rpc:")) {
            return "rpc";
        }
        if (caller.startsWith("jms:")) {
            return "jms";
        }
        if (caller.startsWith("job:")) {
            return "job";
        }
        if (caller.startsWith("folder:")) {
            return "folder";
        }
        return "local";
    }

    static String outcome(CompletableFuture<Reply> result) {
        if (!result.isCompletedExceptionally()) {
            return OK;
        }
        Throwable t;
        try {
            t = result.exceptionNow(); // unlike join(), makes no exception of its own (no stack trace to fill)
        } catch (IllegalStateException cancelled) {
            return outcome(ErrorCode.UNAVAILABLE);
        }
        if (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof CageException e ? outcome(e.code()) : outcome(ErrorCode.INTERNAL);
    }

    private static final String[] CODES = codes();

    static String outcome(ErrorCode code) {
        return CODES[code.ordinal()];
    }

    private static String[] codes() {
        ErrorCode[] all = ErrorCode.values();
        String[] names = new String[all.length];
        for (ErrorCode c : all) {
            names[c.ordinal()] = c.name().toLowerCase(Locale.ROOT);
        }
        return names;
    }

    // --- swaps ---

    /** A deploy, update or undeploy attempt finished (what the deploy history records). */
    void deployed(DeployRecord record) {
        Timer.builder("cages.swap.duration")
                .description("deploys, updates and undeploys, from the jar to the new version serving (or failing)")
                .tags("cage", record.cage() == null ? NONE : record.cage(),
                        "action", record.action().toLowerCase(Locale.ROOT),
                        "outcome", record.outcome().name().toLowerCase(Locale.ROOT))
                .register(registry)
                .record(record.durationMs(), TimeUnit.MILLISECONDS);
    }

    // --- scrape ---

    /** The registry in the Prometheus text format, or OpenMetrics when {@code accept} asks for it. */
    synchronized MetricsText scrape(String accept) {
        refreshGauges();
        String contentType = accept != null && accept.contains("application/openmetrics-text") ? OPENMETRICS_TEXT : PROMETHEUS_TEXT;
        return new MetricsText(contentType, registry.scrape(contentType));
    }

    private void refreshGauges() {
        List<MultiGauge.Row<?>> running = new ArrayList<>();
        List<MultiGauge.Row<?>> waiting = new ArrayList<>();
        CageRegistry watched = cages;
        for (CageSlot slot : watched == null ? List.<CageSlot>of() : watched.all()) {
            running.add(MultiGauge.Row.of(Tags.of("cage", slot.name()), slot.gate().running()));
            waiting.add(MultiGauge.Row.of(Tags.of("cage", slot.name()), slot.gate().queued()));
        }
        inFlight.register(running, true);
        queued.register(waiting, true);
        refreshPools();
        Admin reporting = admin;
        if (reporting != null) {
            refreshJobs(reporting);
            refreshDurableCalls(reporting);
        }
    }

    /**
     * The jobs' own counts as function counters per (cage, job), read from {@link Admin#jobs} once per scrape;
     * a job that went (its config file edited or removed) takes its meters with it. The counts restart at 0 when
     * a job is reconfigured, which Prometheus reads as a counter reset.
     */
    private void refreshJobs(Admin watched) {
        List<JobInfo> jobs;
        try {
            jobs = watched.jobs();
        } catch (RuntimeException e) {
            return; // the jobs transport cannot report now: the meters keep their last values
        }
        Set<List<String>> seen = new HashSet<>();
        List<MultiGauge.Row<?>> running = new ArrayList<>();
        for (JobInfo job : jobs) {
            List<String> key = List.of(job.cage(), job.name());
            seen.add(key);
            jobMeters.computeIfAbsent(key, k -> new JobMeters(registry, job.cage(), job.name())).latest = job;
            running.add(MultiGauge.Row.of(Tags.of("cage", job.cage(), "job", job.name()), job.running()));
        }
        jobMeters.entrySet().removeIf(e -> {
            if (seen.contains(e.getKey())) {
                return false;
            }
            e.getValue().removeFrom(registry);
            return true;
        });
        jobsRunning.register(running, true);
    }

    /**
     * Stored durable calls per (cage, status) and the relay's outcome counters, from one {@link Admin#durableCallCounts}
     * per scrape (the provider caches its outbox queries for a few seconds). A host whose provider stores no
     * durable calls reports {@link DurableCallCounts#NONE}: no durable call meters at all.
     */
    private void refreshDurableCalls(Admin watched) {
        DurableCallCounts counts;
        try {
            counts = watched.durableCallCounts();
        } catch (RuntimeException e) {
            return; // keeps the last counts
        }
        if (counts == null || counts == DurableCallCounts.NONE) {
            return;
        }
        durable = counts;
        if (!durableMetersRegistered) {
            durableMetersRegistered = true;
            Gauge.builder("cages.durable.calls.in_flight", this, m -> m.durable.inFlight())
                    .description("pending durable calls being delivered now").register(registry);
            durableOutcome("delivered", m -> m.durable.delivered());
            durableOutcome("retried", m -> m.durable.retried());
            durableOutcome("failed", m -> m.durable.failed());
            durableOutcome("expired", m -> m.durable.expired());
        }
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (DurableCallCounts.Stored s : counts.stored()) {
            rows.add(MultiGauge.Row.of(Tags.of("cage", s.cage(), "status", s.status()), s.calls()));
        }
        durableStored.register(rows, true);
    }

    private void durableOutcome(String outcome, java.util.function.ToDoubleFunction<HostMetrics> count) {
        FunctionCounter.builder("cages.durable.call.outcomes", this, count)
                .description("delivery attempts and expiries the relay recorded since the host started, by outcome")
                .tag("outcome", outcome).register(registry);
    }

    /**
     * Every number a resource reports in its status (pool counts such as active, idle, waiting) as a gauge
     * {@code cages.pool.<field>} with the resource's name and kind.
     */
    private void refreshPools() {
        JsonNode status;
        try {
            status = resources.get();
        } catch (RuntimeException e) {
            return; // a resource provider that cannot report now: its gauges keep their last rows
        }
        Map<String, List<MultiGauge.Row<?>>> rows = new java.util.HashMap<>();
        if (status != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = status.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> resource = it.next();
                String kind = resource.getValue().path("kind").asText("unknown");
                for (Iterator<Map.Entry<String, JsonNode>> f = resource.getValue().fields(); f.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = f.next();
                    if (field.getValue().isNumber()) {
                        rows.computeIfAbsent(field.getKey(), k -> new ArrayList<>()).add(MultiGauge.Row.of(
                                Tags.of("resource", resource.getKey(), "kind", kind), field.getValue().doubleValue()));
                    }
                }
            }
        }
        for (String field : rows.keySet()) {
            pools.computeIfAbsent(field, f -> MultiGauge.builder("cages.pool." + dotted(f))
                    .description("resource pool count '" + f + "' (see GET /resources)").register(registry));
        }
        pools.forEach((field, gauge) -> gauge.register(rows.getOrDefault(field, List.of()), true));
    }

    /** {@code activeConnections} as {@code active.connections}. */
    static String dotted(String camel) {
        StringBuilder b = new StringBuilder(camel.length() + 4);
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (Character.isUpperCase(c)) {
                b.append('.').append(Character.toLowerCase(c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }

    /**
     * What a request's meters are found by. Written out rather than a record: a record's equals and hashCode go
     * through method handles that C2 did not fully inline here, and this look-up runs on every request (it was
     * the largest single item of the metrics' request-path cost in a profile of the HTTP hello benchmark).
     */
    private static final class Key {
        final String cage;
        final String operation;
        final String version;
        final String transport;
        final String outcome;
        private final int hash;

        Key(String cage, String operation, String version, String transport, String outcome) {
            this.cage = cage;
            this.operation = operation;
            this.version = version;
            this.transport = transport;
            this.outcome = outcome;
            this.hash = (((cage.hashCode() * 31 + operation.hashCode()) * 31 + version.hashCode()) * 31 + transport.hashCode()) * 31
                    + outcome.hashCode();
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            // version, transport and outcome are mostly the same String instances, so those compare by identity
            return o instanceof Key k && hash == k.hash && cage.equals(k.cage) && operation.equals(k.operation)
                    && version.equals(k.version) && transport.equals(k.transport) && outcome.equals(k.outcome);
        }
    }

    /** One job's counters, reading the {@link JobInfo} of the last scrape. */
    private static final class JobMeters {
        volatile JobInfo latest;
        private final List<FunctionCounter> counters;

        JobMeters(MeterRegistry registry, String cage, String job) {
            counters = List.of(
                    counter(registry, "cages.job.fired", "runs started since the job was (re)configured", cage, job, m -> m.latest.fired()),
                    counter(registry, "cages.job.skipped", "ticks not run: overlap limit, or missed under skip", cage, job,
                            m -> m.latest.skipped()),
                    counter(registry, "cages.job.not_here", "ticks of a onePerFlock job left to another host", cage, job,
                            m -> m.latest.notHere()));
        }

        private FunctionCounter counter(MeterRegistry registry, String name, String description, String cage, String job,
                                        java.util.function.ToDoubleFunction<JobMeters> count) {
            return FunctionCounter.builder(name, this, count).description(description).tags("cage", cage, "job", job).register(registry);
        }

        void removeFrom(MeterRegistry registry) {
            counters.forEach(registry::remove);
        }
    }

    /**
     * The meters of one key, and the history series the same requests go to ({@code error} is the key's outcome as
     * the history counts it, null for ok).
     */
    private record RequestMeters(Timer all, Timer byTransport, Counter deadlineMisses, MetricsHistory.Series series, ErrorCode error) {
        void removeFrom(MeterRegistry registry) {
            registry.remove(all);
            if (byTransport != null) {
                registry.remove(byTransport);
            }
            if (deadlineMisses != null) {
                registry.remove(deadlineMisses);
            }
        }

        void record(long nanos) {
            all.record(nanos, TimeUnit.NANOSECONDS);
            if (byTransport != null) {
                byTransport.record(nanos, TimeUnit.NANOSECONDS);
            }
            if (deadlineMisses != null) {
                deadlineMisses.increment();
            }
        }
    }
}
