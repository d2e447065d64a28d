package io.cages.resources.jdbc;

import com.fasterxml.jackson.databind.JsonNode;
import io.cages.api.CageException;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Settings of one JDBC resource, as written in a config file. Unknown keys are rejected (a typo must not
 * silently fall back to a default), string values of the form {@code ${env:NAME}} come from the environment
 * so credentials need not sit in config files, and {@link #toString()} never shows the password.
 *
 * @param url                 JDBC URL, required
 * @param username            login, may be null (H2 in-memory)
 * @param password            password, may be null; never logged
 * @param maxPoolSize         most connections the pool opens
 * @param minIdle             idle connections the pool keeps ready
 * @param idleTimeoutMs       an idle connection above {@code minIdle} is closed after this (0 = never)
 * @param maxLifetimeMs       a connection is retired after this age (0 = never)
 * @param connectionTimeoutMs upper bound on acquiring a connection; a shorter request deadline wins
 * @param validationTimeoutMs bound on the liveness check of a connection before it is handed out
 */
public record JdbcSettings(String url, String username, String password, int maxPoolSize, int minIdle,
                           long idleTimeoutMs, long maxLifetimeMs, long connectionTimeoutMs,
                           long validationTimeoutMs) {

    public static final int DEFAULT_MAX_POOL_SIZE = 10;
    public static final int DEFAULT_MIN_IDLE = 1;
    public static final long DEFAULT_IDLE_TIMEOUT_MS = 600_000;
    public static final long DEFAULT_MAX_LIFETIME_MS = 1_800_000;
    public static final long DEFAULT_CONNECTION_TIMEOUT_MS = 5_000;
    public static final long DEFAULT_VALIDATION_TIMEOUT_MS = 2_000;

    private static final Set<String> KEYS = Set.of("url", "username", "password", "maxPoolSize", "minIdle",
            "idleTimeoutMs", "maxLifetimeMs", "connectionTimeoutMs", "validationTimeoutMs");
    /** Besides the settings, a resource entry in configs/ may say what it is; accepted and ignored here. */
    private static final Set<String> ENVELOPE_KEYS = Set.of("kind");
    private static final Pattern ENV_REF = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)}");

    /** Parses {@code node} with values from the process environment. */
    public static JdbcSettings parse(String resource, JsonNode node) throws CageException {
        return parse(resource, node, System::getenv);
    }

    /**
     * Parses {@code node}; {@code env} resolves {@code ${env:NAME}} references (tests pass a map).
     *
     * @throws CageException BAD_REQUEST naming the resource and the offending key
     */
    public static JdbcSettings parse(String resource, JsonNode node, Function<String, String> env)
            throws CageException {
        if (node == null || !node.isObject()) {
            throw bad(resource, null, "settings must be a JSON object");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key) && !ENVELOPE_KEYS.contains(key)) {
                throw bad(resource, key, "unknown key; known keys are " + KEYS.stream().sorted().toList());
            }
        }
        if (node.has("kind") && !"jdbc".equals(node.get("kind").asText())) {
            throw bad(resource, "kind", "expected \"jdbc\", got " + node.get("kind"));
        }
        String url = text(resource, node, "url", env);
        if (url == null || !url.startsWith("jdbc:")) {
            throw bad(resource, "url", "required, and must start with \"jdbc:\"");
        }
        int maxPoolSize = (int) number(resource, node, "maxPoolSize", DEFAULT_MAX_POOL_SIZE, 1, 10_000);
        int minIdle = (int) number(resource, node, "minIdle", Math.min(DEFAULT_MIN_IDLE, maxPoolSize), 0,
                maxPoolSize);
        // Lower bounds are HikariCP's own; it would clamp quietly, we say so instead.
        long idleTimeout = number(resource, node, "idleTimeoutMs", DEFAULT_IDLE_TIMEOUT_MS, 0, Long.MAX_VALUE);
        if (idleTimeout != 0 && idleTimeout < 10_000) {
            throw bad(resource, "idleTimeoutMs", "must be 0 (never) or at least 10000, got " + idleTimeout);
        }
        long maxLifetime = number(resource, node, "maxLifetimeMs", DEFAULT_MAX_LIFETIME_MS, 0, Long.MAX_VALUE);
        if (maxLifetime != 0 && maxLifetime < 30_000) {
            throw bad(resource, "maxLifetimeMs", "must be 0 (never) or at least 30000, got " + maxLifetime);
        }
        long connectionTimeout = number(resource, node, "connectionTimeoutMs", DEFAULT_CONNECTION_TIMEOUT_MS,
                250, 3_600_000);
        long validationTimeout = number(resource, node, "validationTimeoutMs",
                Math.min(DEFAULT_VALIDATION_TIMEOUT_MS, connectionTimeout), 250, connectionTimeout);
        return new JdbcSettings(url, text(resource, node, "username", env), text(resource, node, "password", env),
                maxPoolSize, minIdle, idleTimeout, maxLifetime, connectionTimeout, validationTimeout);
    }

    /** True if a live pool cannot adopt {@code other} and must be replaced: it reaches another database. */
    public boolean sameDatabase(JdbcSettings other) {
        return url.equals(other.url) && Objects.equals(username, other.username)
                && Objects.equals(password, other.password);
    }

    @Override
    public String toString() {
        return "JdbcSettings[url=" + url + ", username=" + username + ", password=" + (password == null ? null : "****")
                + ", maxPoolSize=" + maxPoolSize + ", minIdle=" + minIdle + ", idleTimeoutMs=" + idleTimeoutMs
                + ", maxLifetimeMs=" + maxLifetimeMs + ", connectionTimeoutMs=" + connectionTimeoutMs
                + ", validationTimeoutMs=" + validationTimeoutMs + "]";
    }

    private static String text(String resource, JsonNode node, String key, Function<String, String> env)
            throws CageException {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw bad(resource, key, "must be a string");
        }
        Matcher m = ENV_REF.matcher(v.asText());
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = env.apply(m.group(1));
            if (value == null) {
                throw bad(resource, key, "environment variable " + m.group(1) + " is not set");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static long number(String resource, JsonNode node, String key, long dflt, long min, long max)
            throws CageException {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw bad(resource, key, "must be a whole number, got " + v);
        }
        long n = v.asLong();
        if (n < min || n > max) {
            throw bad(resource, key, "must be between " + min + " and " + max + ", got " + n);
        }
        return n;
    }

    private static CageException bad(String resource, String key, String problem) {
        return CageException.badRequest("jdbc resource \"" + resource + "\"" + (key == null ? "" : ", key \"" + key + "\"")
                + ": " + problem);
    }

    /** Map form used by {@link JdbcResources}; kept here so key names live in one class. */
    static Map<String, JdbcSettings> parseAll(Map<String, JsonNode> nodes, Function<String, String> env)
            throws CageException {
        Map<String, JdbcSettings> out = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : nodes.entrySet()) {
            out.put(e.getKey(), parse(e.getKey(), e.getValue(), env));
        }
        return out;
    }
}
