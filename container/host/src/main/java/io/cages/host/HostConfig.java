package io.cages.host;

import com.fasterxml.jackson.databind.JsonNode;
import io.cages.host.spi.Settings;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The host's settings, read from {@code configs/host.json} at start. Every field has a default, so an empty
 * object is a valid config. Relative paths are resolved against the directory the host is started in.
 * Unknown keys are rejected, so a typo does not silently fall back to a default; strings, and numbers given as
 * strings, may be {@code ${env:NAME}} (see {@link Settings}).
 *
 * <p>Host settings are read once; cage configs ({@code cageConfigDir}) are reloaded live.
 *
 * @param name             host name in logs and (later) the directory; default: the machine's host name
 * @param workDir          scratch space: the Felix bundle cache lives under it
 * @param deployDir        cage jars placed here are deployed, replaced ones updated, deleted ones undeployed
 * @param cageConfigDir    {@code <cage>.json} files handed to cages, reloaded when they change
 * @param http             HTTP transport settings
 * @param cageDefaults     limits every cage gets unless {@code cages} says otherwise
 * @param cages            per-cage overrides of {@code cageDefaults}, by cage name
 * @param pollMs           how often the deploy and config folders are checked for changes
 * @param shutdownTimeoutMs how long a clean shutdown waits for in-flight requests
 * @param historySize      deploy records kept for the admin API
 * @param transports       settings of the transports other than HTTP, by transport name (e.g. {@code rpc},
 *                         {@code flock}, {@code jms}); each transport validates its own section
 * @param resourcesFile    databases, brokers and the embedded broker the host owns for its cages, reloaded
 *                         live; a missing file means none
 * @param metrics          request, swap, pool and JVM metrics, served at {@code GET /metrics} of the admin listener
 * @param tracing          where spans are exported to with OTLP, if anywhere
 * @param health           how often the health monitor probes every cage of the flock, and how long it waits
 * @param tls              this host's flock credentials (mutual TLS between hosts), or null: plain TCP
 */
public record HostConfig(
        String name,
        Path workDir,
        Path deployDir,
        Path cageConfigDir,
        Http http,
        Limits cageDefaults,
        Map<String, Limits> cages,
        Long pollMs,
        Long shutdownTimeoutMs,
        Integer historySize,
        Map<String, JsonNode> transports,
        Path resourcesFile,
        Metrics metrics,
        Tracing tracing,
        Health health,
        Tls tls) {

    private static final Set<String> KEYS = Set.of("name", "workDir", "deployDir", "cageConfigDir", "http", "cageDefaults",
            "cages", "pollMs", "shutdownTimeoutMs", "historySize", "transports", "resourcesFile", "metrics",
            "tracing", "health", "tls");

    public HostConfig {
        name = name != null ? name : defaultHostName();
        workDir = workDir != null ? workDir : Path.of("work");
        deployDir = deployDir != null ? deployDir : workDir.resolve("deploy");
        cageConfigDir = cageConfigDir != null ? cageConfigDir : Path.of("configs", "cages");
        http = http != null ? http : Http.defaults();
        cageDefaults = Limits.DEFAULTS.overriddenBy(cageDefaults);
        cages = cages != null ? Map.copyOf(cages) : Map.of();
        pollMs = positive(pollMs, 500L, "pollMs");
        shutdownTimeoutMs = positive(shutdownTimeoutMs, 30_000L, "shutdownTimeoutMs");
        historySize = positive(historySize, 200, "historySize");
        transports = transports != null ? Map.copyOf(transports) : Map.of();
        resourcesFile = resourcesFile != null ? resourcesFile : Path.of("configs", "resources.json");
        metrics = metrics != null ? metrics : Metrics.DEFAULTS;
        tracing = tracing != null ? tracing : Tracing.NONE;
        health = health != null ? health : Health.DEFAULTS;
        for (String cage : cages.keySet()) {
            if (!isValidCageName(cage)) {
                throw new IllegalArgumentException("cages." + cage + ": not a valid cage name (lower-case letters, digits, '-', starting with a letter)");
            }
        }
    }

    /** Without metrics settings: the defaults (metrics on). */
    public HostConfig(String name, Path workDir, Path deployDir, Path cageConfigDir, Http http, Limits cageDefaults,
                      Map<String, Limits> cages, Long pollMs, Long shutdownTimeoutMs, Integer historySize,
                      Map<String, JsonNode> transports, Path resourcesFile) {
        this(name, workDir, deployDir, cageConfigDir, http, cageDefaults, cages, pollMs, shutdownTimeoutMs, historySize,
                transports, resourcesFile, null, null, null);
    }

    /** Without tracing settings: spans are exported only when the OTEL_* environment says where. */
    public HostConfig(String name, Path workDir, Path deployDir, Path cageConfigDir, Http http, Limits cageDefaults,
                      Map<String, Limits> cages, Long pollMs, Long shutdownTimeoutMs, Integer historySize,
                      Map<String, JsonNode> transports, Path resourcesFile, Metrics metrics) {
        this(name, workDir, deployDir, cageConfigDir, http, cageDefaults, cages, pollMs, shutdownTimeoutMs, historySize,
                transports, resourcesFile, metrics, null, null);
    }

    /** Without health monitor settings: the defaults. */
    public HostConfig(String name, Path workDir, Path deployDir, Path cageConfigDir, Http http, Limits cageDefaults,
                      Map<String, Limits> cages, Long pollMs, Long shutdownTimeoutMs, Integer historySize,
                      Map<String, JsonNode> transports, Path resourcesFile, Metrics metrics, Tracing tracing) {
        this(name, workDir, deployDir, cageConfigDir, http, cageDefaults, cages, pollMs, shutdownTimeoutMs, historySize,
                transports, resourcesFile, metrics, tracing, null, null);
    }

    /** Without TLS settings: RPC between hosts is plain TCP. */
    public HostConfig(String name, Path workDir, Path deployDir, Path cageConfigDir, Http http, Limits cageDefaults,
                      Map<String, Limits> cages, Long pollMs, Long shutdownTimeoutMs, Integer historySize,
                      Map<String, JsonNode> transports, Path resourcesFile, Metrics metrics, Tracing tracing, Health health) {
        this(name, workDir, deployDir, cageConfigDir, http, cageDefaults, cages, pollMs, shutdownTimeoutMs, historySize,
                transports, resourcesFile, metrics, tracing, health, null);
    }

    /** Defaults for everything. */
    public static HostConfig defaults() {
        return new HostConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /**
     * Reads a host config file, with {@code ${env:NAME}} from the process environment.
     *
     * @throws IllegalArgumentException naming the file, the key and what is wrong with it
     */
    public static HostConfig load(Path file) {
        return load(file, System::getenv);
    }

    /** Reads a host config file; {@code env} resolves {@code ${env:NAME}} (tests pass a map). */
    static HostConfig load(Path file, Function<String, String> env) {
        Settings s = Settings.read(file, env, KEYS);
        // Every check of the constructors is made here first, by the reader, so its message has the key's full
        // path and never shows a value that came from the environment.
        Map<String, Limits> cages = new LinkedHashMap<>();
        Settings byCage = s.map("cages");
        for (String cage : byCage.names()) {
            if (!isValidCageName(cage)) {
                throw byCage.problem(cage, "not a valid cage name (lower-case letters, digits, '-', starting with a letter)");
            }
            cages.put(cage, Limits.read(byCage.object(cage, Limits.KEYS)));
        }
        Map<String, JsonNode> transports = new LinkedHashMap<>();
        Settings byTransport = s.map("transports");
        for (String transport : byTransport.names()) {
            if (byTransport.has(transport)) {
                transports.put(transport, byTransport.raw(transport)); // each transport reads its own section
            }
        }
        return new HostConfig(
                s.string("name", null),
                path(s, "workDir"),
                path(s, "deployDir"),
                path(s, "cageConfigDir"),
                Http.read(s.object("http", Http.KEYS), env),
                Limits.read(s.object("cageDefaults", Limits.KEYS)),
                cages,
                s.optionalLong("pollMs", 1, Long.MAX_VALUE),
                s.optionalLong("shutdownTimeoutMs", 1, Long.MAX_VALUE),
                s.optionalInteger("historySize", 1, Integer.MAX_VALUE),
                transports,
                path(s, "resourcesFile"),
                Metrics.read(s.object("metrics", Metrics.KEYS)),
                Tracing.read(s.object("tracing", Tracing.KEYS)),
                Health.read(s.object("health", Health.KEYS)),
                Tls.read(s, file.toAbsolutePath().getParent()));
    }

    /** The limits in force for {@code cage}: its overrides on top of {@link #cageDefaults()}. */
    public Limits limitsFor(String cage) {
        return cageDefaults.overriddenBy(cages.get(cage));
    }

    public HostConfig withWorkDir(Path dir) {
        return new HostConfig(name, dir, dir.resolve("deploy"), cageConfigDir, http, cageDefaults, cages, pollMs, shutdownTimeoutMs, historySize, transports, resourcesFile, metrics, tracing, health, tls);
    }

    public HostConfig withDeployDir(Path dir) {
        return new HostConfig(name, workDir, dir, cageConfigDir, http, cageDefaults, cages, pollMs, shutdownTimeoutMs, historySize, transports, resourcesFile, metrics, tracing, health, tls);
    }

    public HostConfig withCageConfigDir(Path dir) {
        return new HostConfig(name, workDir, deployDir, dir, http, cageDefaults, cages, pollMs, shutdownTimeoutMs, historySize, transports, resourcesFile, metrics, tracing, health, tls);
    }

    public HostConfig withHttp(Http value) {
        return new HostConfig(name, workDir, deployDir, cageConfigDir, value, cageDefaults, cages, pollMs, shutdownTimeoutMs, historySize, transports, resourcesFile, metrics, tracing, health, tls);
    }

    public HostConfig withCageLimits(String cage, Limits limits) {
        Map<String, Limits> copy = new java.util.HashMap<>(cages);
        copy.put(cage, limits);
        return new HostConfig(name, workDir, deployDir, cageConfigDir, http, cageDefaults, copy, pollMs, shutdownTimeoutMs, historySize, transports, resourcesFile, metrics, tracing, health, tls);
    }

    /** This config with {@code settings} as the section of transport {@code name}. */
    public HostConfig withTransport(String name, JsonNode settings) {
        Map<String, JsonNode> copy = new java.util.HashMap<>(transports);
        copy.put(name, settings);
        return new HostConfig(this.name, workDir, deployDir, cageConfigDir, http, cageDefaults, cages, pollMs, shutdownTimeoutMs, historySize, copy, resourcesFile, metrics, tracing, health, tls);
    }

    public HostConfig withResourcesFile(Path file) {
        return new HostConfig(name, workDir, deployDir, cageConfigDir, http, cageDefaults, cages, pollMs, shutdownTimeoutMs, historySize, transports, file, metrics, tracing, health, tls);
    }

    public HostConfig withPollMs(long ms) {
        return new HostConfig(name, workDir, deployDir, cageConfigDir, http, cageDefaults, cages, ms, shutdownTimeoutMs, historySize, transports, resourcesFile, metrics, tracing, health, tls);
    }

    public HostConfig withName(String hostName) {
        return new HostConfig(hostName, workDir, deployDir, cageConfigDir, http, cageDefaults, cages, pollMs, shutdownTimeoutMs, historySize, transports, resourcesFile, metrics, tracing, health, tls);
    }

    public HostConfig withMetrics(Metrics value) {
        return new HostConfig(name, workDir, deployDir, cageConfigDir, http, cageDefaults, cages, pollMs, shutdownTimeoutMs, historySize, transports, resourcesFile, value, tracing, health, tls);
    }

    public HostConfig withTracing(Tracing value) {
        return new HostConfig(name, workDir, deployDir, cageConfigDir, http, cageDefaults, cages, pollMs, shutdownTimeoutMs, historySize, transports, resourcesFile, metrics, value, health, tls);
    }

    public HostConfig withTls(Tls value) {
        return new HostConfig(name, workDir, deployDir, cageConfigDir, http, cageDefaults, cages, pollMs, shutdownTimeoutMs, historySize, transports, resourcesFile, metrics, tracing, health, value);
    }

    public HostConfig withHealth(Health value) {
        return new HostConfig(name, workDir, deployDir, cageConfigDir, http, cageDefaults, cages, pollMs, shutdownTimeoutMs, historySize, transports, resourcesFile, metrics, tracing, value, tls);
    }

    /** The section of transport {@code name}, or null when the config has none. */
    public JsonNode transport(String name) {
        return transports.get(name);
    }

    public Duration shutdownTimeout() {
        return Duration.ofMillis(shutdownTimeoutMs);
    }

    /**
     * {@code [a-z][a-z0-9-]{0,62}}, checked by hand: every call by name asks, and a regex matcher per call was
     * ~3% of a caller's allocation in the RPC benchmark.
     */
    public static boolean isValidCageName(String name) {
        if (name == null || name.isEmpty() || name.length() > 63) {
            return false;
        }
        char first = name.charAt(0);
        if (first < 'a' || first > 'z') {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /**
     * HTTP transport settings.
     *
     * @param bind               address the cage listener binds to
     * @param port               cage listener port; 0 picks a free one
     * @param adminBind          address of the admin listener (loopback by default: the admin API can deploy code)
     * @param adminPort          admin listener port; 0 picks a free one, -1 disables it
     * @param maxInitialLineBytes longest request line accepted (414 beyond)
     * @param maxHeaderBytes     largest header block accepted (431 beyond)
     * @param maxBodyBytes       largest body accepted (413 beyond)
     * @param idleTimeoutSeconds idle keep-alive connections are closed after this
     * @param ioThreads          Netty event loop threads; 0 means one per core
     * @param adminToken         when set, every admin request needs {@code Authorization: Bearer <token>}; required
     *                           when {@code adminBind} is beyond loopback. In host.json {@code "adminToken"}
     *                           (e.g. {@code "${env:MY_TOKEN}"}); when the key is absent, the environment variable
     *                           {@value #ADMIN_TOKEN_ENV}
     */
    public record Http(String bind, Integer port, String adminBind, Integer adminPort, Integer maxInitialLineBytes,
                       Integer maxHeaderBytes, Integer maxBodyBytes, Integer idleTimeoutSeconds, Integer ioThreads,
                       String adminToken) {

        /** The environment variable {@link HostConfig#load} reads the admin token from when host.json has none. */
        public static final String ADMIN_TOKEN_ENV = "CAGES_ADMIN_TOKEN";

        static final Set<String> KEYS = Set.of("bind", "port", "adminBind", "adminPort", "maxInitialLineBytes",
                "maxHeaderBytes", "maxBodyBytes", "idleTimeoutSeconds", "ioThreads", "adminToken");

        public Http {
            bind = bind != null ? bind : "0.0.0.0";
            port = port(port, 8080, "http.port");
            adminBind = adminBind != null ? adminBind : "127.0.0.1";
            adminPort = adminPort != null && adminPort == -1 ? -1 : port(adminPort, 8081, "http.adminPort");
            maxInitialLineBytes = positive(maxInitialLineBytes, 8192, "http.maxInitialLineBytes");
            maxHeaderBytes = positive(maxHeaderBytes, 16384, "http.maxHeaderBytes");
            maxBodyBytes = positive(maxBodyBytes, 10 * 1024 * 1024, "http.maxBodyBytes");
            idleTimeoutSeconds = positive(idleTimeoutSeconds, 60, "http.idleTimeoutSeconds");
            ioThreads = ioThreads == null ? 0 : ioThreads;
            if (ioThreads < 0) {
                throw new IllegalArgumentException("http.ioThreads must be 0 (one per core) or positive, was " + ioThreads);
            }
            adminToken = adminToken == null || adminToken.isEmpty() ? null : adminToken;
        }

        /** Without an admin token. */
        public Http(String bind, Integer port, String adminBind, Integer adminPort, Integer maxInitialLineBytes,
                    Integer maxHeaderBytes, Integer maxBodyBytes, Integer idleTimeoutSeconds, Integer ioThreads) {
            this(bind, port, adminBind, adminPort, maxInitialLineBytes, maxHeaderBytes, maxBodyBytes, idleTimeoutSeconds, ioThreads, null);
        }

        public static Http defaults() {
            return new Http(null, null, null, null, null, null, null, null, null, null);
        }

        static Http read(Settings s, Function<String, String> env) {
            return new Http(s.string("bind", null), s.optionalInteger("port", 0, 65535), s.string("adminBind", null),
                    s.has("adminPort") ? s.portOrNone("adminPort", -1) : null,
                    s.optionalInteger("maxInitialLineBytes", 1, Integer.MAX_VALUE),
                    s.optionalInteger("maxHeaderBytes", 1, Integer.MAX_VALUE),
                    s.optionalInteger("maxBodyBytes", 1, Integer.MAX_VALUE),
                    s.optionalInteger("idleTimeoutSeconds", 1, Integer.MAX_VALUE),
                    s.optionalInteger("ioThreads", 0, Integer.MAX_VALUE),
                    s.has("adminToken") ? s.string("adminToken", null) : env.apply(ADMIN_TOKEN_ENV));
        }

        /** Both listeners on loopback with free ports: what tests and benchmarks use. */
        public static Http ephemeral() {
            return new Http("127.0.0.1", 0, "127.0.0.1", 0, null, null, null, null, null, null);
        }

        public Http withMaxBodyBytes(int bytes) {
            return new Http(bind, port, adminBind, adminPort, maxInitialLineBytes, maxHeaderBytes, bytes, idleTimeoutSeconds, ioThreads, adminToken);
        }

        public Http withIdleTimeoutSeconds(int seconds) {
            return new Http(bind, port, adminBind, adminPort, maxInitialLineBytes, maxHeaderBytes, maxBodyBytes, seconds, ioThreads, adminToken);
        }

        public Http withAdmin(String bindAddress, String token) {
            return new Http(bind, port, bindAddress, adminPort, maxInitialLineBytes, maxHeaderBytes, maxBodyBytes, idleTimeoutSeconds, ioThreads, token);
        }

        /** Never shows the admin token. */
        @Override
        public String toString() {
            return "Http[bind=" + bind + ", port=" + port + ", adminBind=" + adminBind + ", adminPort=" + adminPort
                    + ", maxInitialLineBytes=" + maxInitialLineBytes + ", maxHeaderBytes=" + maxHeaderBytes
                    + ", maxBodyBytes=" + maxBodyBytes + ", idleTimeoutSeconds=" + idleTimeoutSeconds
                    + ", ioThreads=" + ioThreads + ", adminToken=" + (adminToken == null ? "none" : "(set)") + "]";
        }

        private static int port(Integer value, int fallback, String key) {
            if (value == null) {
                return fallback;
            }
            if (value < 0 || value > 65535) {
                throw new IllegalArgumentException(key + " must be 0..65535, was " + value);
            }
            return value;
        }
    }

    /**
     * This host's credentials in its flock ({@code "tls"} in host.json), PEM files: with them the RPC transport
     * between hosts is mutual TLS (see the README, "Mutual TLS between hosts"). Relative paths are resolved
     * against the folder host.json is in. The files are re-read when they change; the RPC transport checks
     * their content (and names the file) when it starts.
     *
     * @param ca   the flock's CA certificates (one, or the old and the new one during a rotation)
     * @param cert this host's certificate: subject {@code CN=<host name>, O=<flock name>}, issued by a CA of {@code ca}
     * @param key  the certificate's private key (PKCS#8, unencrypted)
     */
    public record Tls(Path ca, Path cert, Path key) {

        static final Set<String> KEYS = Set.of("ca", "cert", "key");

        public Tls {
            if (ca == null || cert == null || key == null) {
                throw new IllegalArgumentException("tls needs all of ca, cert and key (PEM files)");
            }
        }

        /** The {@code tls} section of {@code s}, with paths resolved against {@code configDir}; null when absent. */
        static Tls read(Settings s, Path configDir) {
            if (!s.has("tls")) {
                return null;
            }
            Settings t = s.object("tls", KEYS);
            Path[] paths = new Path[3];
            String[] keys = {"ca", "cert", "key"};
            for (int i = 0; i < keys.length; i++) {
                String value = t.string(keys[i], null);
                if (value == null || value.isBlank()) {
                    throw t.problem(keys[i], "is required: the path of a PEM file (relative to the folder of host.json)");
                }
                try {
                    paths[i] = configDir == null ? Path.of(value) : configDir.resolve(value);
                } catch (InvalidPathException e) {
                    throw t.invalid(keys[i], "is not a valid path: " + e.getReason());
                }
            }
            return new Tls(paths[0], paths[1], paths[2]);
        }
    }

    /**
     * Metrics settings ({@code "metrics"} in host.json).
     *
     * @param enabled false switches request, swap, pool and JVM metrics off: nothing is recorded on the request
     *                path and {@code GET /metrics} answers 404
     */
    public record Metrics(Boolean enabled) {

        static final Metrics DEFAULTS = new Metrics(true);
        static final Set<String> KEYS = Set.of("enabled");

        public Metrics {
            enabled = enabled == null || enabled;
        }

        static Metrics read(Settings s) {
            return new Metrics(s.has("enabled") ? s.flag("enabled", true) : null);
        }
    }

    /**
     * Health monitor settings ({@code "health"} in host.json): every {@code periodMs} the host probes every cage of
     * every host of its flock (itself included); a host that does not answer within {@code timeoutMs} is down. A
     * cage's self-test runs at most once per period on its host however many hosts probe, bounded by half the
     * timeout (the other half is for the network).
     *
     * @param periodMs  how often every host is probed (default 2000, at least 100)
     * @param timeoutMs how long a probe may take (default 1000; at least 10 and at most {@code periodMs})
     */
    public record Health(Long periodMs, Long timeoutMs) {

        static final Health DEFAULTS = new Health(null, null);
        static final Set<String> KEYS = Set.of("periodMs", "timeoutMs");
        static final long MIN_PERIOD_MS = 100;
        static final long MIN_TIMEOUT_MS = 10;

        public Health {
            periodMs = periodMs != null ? periodMs : 2_000L;
            timeoutMs = timeoutMs != null ? timeoutMs : Math.min(1_000L, periodMs);
            if (periodMs < MIN_PERIOD_MS) {
                throw new IllegalArgumentException("health.periodMs must be at least " + MIN_PERIOD_MS + ", was " + periodMs);
            }
            if (timeoutMs < MIN_TIMEOUT_MS || timeoutMs > periodMs) {
                throw new IllegalArgumentException("health.timeoutMs must be " + MIN_TIMEOUT_MS + ".." + periodMs
                        + " (at least " + MIN_TIMEOUT_MS + " and at most health.periodMs), was " + timeoutMs);
            }
        }

        static Health read(Settings s) {
            Long period = s.optionalLong("periodMs", MIN_PERIOD_MS, Long.MAX_VALUE);
            Long timeout = s.optionalLong("timeoutMs", MIN_TIMEOUT_MS, Long.MAX_VALUE);
            long effectivePeriod = period != null ? period : 2_000L;
            if (timeout != null && timeout > effectivePeriod) {
                throw s.invalid("timeoutMs", "must be at most health.periodMs (" + effectivePeriod + ")");
            }
            return new Health(period, timeout);
        }
    }

    /**
     * Tracing settings ({@code "tracing"} in host.json): where the host exports its spans, with OTLP over HTTP
     * (protobuf). Without an endpoint here, the standard {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT},
     * {@code OTEL_EXPORTER_OTLP_ENDPOINT} and {@code OTEL_TRACES_SAMPLER_ARG} variables are read; with neither,
     * nothing is exported (and nothing of the exporter is loaded). W3C trace context travels either way.
     *
     * @param otlpEndpoint the collector's base URL, e.g. {@code http://otel-collector:4318} ({@code /v1/traces} is
     *                     appended unless the path already ends with it), or null
     * @param sampleRatio  share of traces exported, 0 to 1, decided by trace id (OpenTelemetry's
     *                     {@code TraceIdRatioBased}); a caller's "not sampled" flag is always honoured; null: 1
     */
    public record Tracing(String otlpEndpoint, Double sampleRatio) {

        static final Tracing NONE = new Tracing(null, null);
        static final Set<String> KEYS = Set.of("otlpEndpoint", "sampleRatio");

        public Tracing {
            if (otlpEndpoint != null && !(otlpEndpoint.startsWith("http://") || otlpEndpoint.startsWith("https://"))) {
                throw new IllegalArgumentException("tracing.otlpEndpoint must be an http:// or https:// URL, was '" + otlpEndpoint + "'");
            }
            if (sampleRatio != null && !(sampleRatio >= 0 && sampleRatio <= 1)) {
                throw new IllegalArgumentException("tracing.sampleRatio must be between 0 and 1, was " + sampleRatio);
            }
        }

        static Tracing read(Settings s) {
            String endpoint = s.string("otlpEndpoint", null);
            if (endpoint != null && !(endpoint.startsWith("http://") || endpoint.startsWith("https://"))) {
                throw s.problem("otlpEndpoint", "must be an http:// or https:// URL (OTLP over HTTP, protobuf)");
            }
            Double ratio = null;
            if (s.has("sampleRatio")) {
                JsonNode value = s.raw("sampleRatio");
                ratio = value.isNumber() ? value.asDouble() : Double.NaN;
                if (!(ratio >= 0 && ratio <= 1)) {
                    throw s.invalid("sampleRatio", "must be a number from 0 to 1");
                }
            }
            return new Tracing(endpoint, ratio);
        }
    }

    /**
     * Per-cage limits. In a config file any field may be left out: it then comes from {@code cageDefaults}.
     *
     * @param timeoutMs         a request's deadline when the caller gives none, and the cap on the caller's
     * @param maxConcurrency    requests running at once
     * @param maxQueue          requests waiting for a slot; beyond this they are refused with 503 at once
     * @param drainTimeoutMs    longest an old version may keep finishing requests after a swap
     * @param selfTestTimeoutMs longest start plus self-test of a new version may take
     */
    public record Limits(Long timeoutMs, Integer maxConcurrency, Integer maxQueue, Long drainTimeoutMs,
                         Long selfTestTimeoutMs) {

        static final Limits DEFAULTS = new Limits(30_000L, 256, 1024, 60_000L, 30_000L);
        static final Set<String> KEYS = Set.of("timeoutMs", "maxConcurrency", "maxQueue", "drainTimeoutMs", "selfTestTimeoutMs");

        public Limits {
            if (timeoutMs != null && timeoutMs <= 0) {
                throw new IllegalArgumentException("timeoutMs must be positive, was " + timeoutMs);
            }
            if (maxConcurrency != null && maxConcurrency <= 0) {
                throw new IllegalArgumentException("maxConcurrency must be positive, was " + maxConcurrency);
            }
            if (maxQueue != null && maxQueue < 0) {
                throw new IllegalArgumentException("maxQueue must be 0 or positive, was " + maxQueue);
            }
            if (drainTimeoutMs != null && drainTimeoutMs <= 0) {
                throw new IllegalArgumentException("drainTimeoutMs must be positive, was " + drainTimeoutMs);
            }
            if (selfTestTimeoutMs != null && selfTestTimeoutMs <= 0) {
                throw new IllegalArgumentException("selfTestTimeoutMs must be positive, was " + selfTestTimeoutMs);
            }
        }

        /** What {@code s} sets, null for the rest. */
        static Limits read(Settings s) {
            return new Limits(s.optionalLong("timeoutMs", 1, Long.MAX_VALUE),
                    s.optionalInteger("maxConcurrency", 1, Integer.MAX_VALUE),
                    s.optionalInteger("maxQueue", 0, Integer.MAX_VALUE),
                    s.optionalLong("drainTimeoutMs", 1, Long.MAX_VALUE),
                    s.optionalLong("selfTestTimeoutMs", 1, Long.MAX_VALUE));
        }

        /** These limits with every field {@code other} sets taking precedence. */
        public Limits overriddenBy(Limits other) {
            if (other == null) {
                return this;
            }
            return new Limits(
                    other.timeoutMs != null ? other.timeoutMs : timeoutMs,
                    other.maxConcurrency != null ? other.maxConcurrency : maxConcurrency,
                    other.maxQueue != null ? other.maxQueue : maxQueue,
                    other.drainTimeoutMs != null ? other.drainTimeoutMs : drainTimeoutMs,
                    other.selfTestTimeoutMs != null ? other.selfTestTimeoutMs : selfTestTimeoutMs);
        }
    }

    private static long positive(Long value, long fallback, String key) {
        if (value == null) {
            return fallback;
        }
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be positive, was " + value);
        }
        return value;
    }

    private static int positive(Integer value, int fallback, String key) {
        if (value == null) {
            return fallback;
        }
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be positive, was " + value);
        }
        return value;
    }

    private static Path path(Settings s, String key) {
        String value = s.string(key, null);
        try {
            return value == null ? null : Path.of(value);
        } catch (InvalidPathException e) {
            throw s.invalid(key, "is not a valid path: " + e.getReason());
        }
    }

    private static String defaultHostName() {
        return DefaultHostName.VALUE;
    }

    /** The machine's name, found once per JVM. */
    private static final class DefaultHostName {
        static final String VALUE = find();

        /**
         * The kernel's host name where Linux shows it: the name {@code InetAddress.getLocalHost()} starts from,
         * without its address lookup (up to 0.1 s of a start, more with a slow resolver). Elsewhere, or when
         * that file cannot be read, the lookup as before.
         */
        private static String find() {
            try {
                String name = java.nio.file.Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
                if (!name.isEmpty()) {
                    return name;
                }
            } catch (IOException | RuntimeException e) {
                // not Linux, or no /proc: ask the resolver
            }
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                return "localhost";
            }
        }
    }
}
