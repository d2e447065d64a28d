package io.cages.resources.jdbc;

import com.fasterxml.jackson.databind.JsonNode;
import io.cages.api.CageException;
import io.cages.host.spi.Settings;
import io.cages.host.spi.SettingsException;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Settings of one JDBC resource, as written in a config file, read with {@link Settings}: unknown keys are
 * rejected (a typo must not silently fall back to a default), {@code ${env:NAME}} in a string (or a number given
 * as a string) comes from the environment so credentials need not sit in config files, and neither errors nor
 * {@link #toString()} ever show the password.
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
            "idleTimeoutMs", "maxLifetimeMs", "connectionTimeoutMs", "validationTimeoutMs",
            "kind"); // a resource entry in configs/ may say what it is

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
        try {
            return read(Settings.of(node, "", env, KEYS));
        } catch (SettingsException e) {
            throw CageException.badRequest("jdbc resource \"" + resource + "\": " + e.getMessage());
        }
    }

    private static JdbcSettings read(Settings s) {
        s.choice("kind", "jdbc", "jdbc"); // an entry of configs/ may say what it is; only this one
        String url = s.string("url", null);
        if (url == null || !url.startsWith("jdbc:")) {
            throw s.invalid("url", "is required, and must start with \"jdbc:\"");
        }
        int maxPoolSize = s.integer("maxPoolSize", DEFAULT_MAX_POOL_SIZE, 1, 10_000);
        int minIdle = s.integer("minIdle", Math.min(DEFAULT_MIN_IDLE, maxPoolSize), 0, maxPoolSize);
        // Lower bounds are HikariCP's own; it would clamp quietly, we say so instead.
        long idleTimeout = s.longValue("idleTimeoutMs", DEFAULT_IDLE_TIMEOUT_MS, 0, Long.MAX_VALUE);
        if (idleTimeout != 0 && idleTimeout < 10_000) {
            throw s.invalid("idleTimeoutMs", "must be 0 (never) or at least 10000");
        }
        long maxLifetime = s.longValue("maxLifetimeMs", DEFAULT_MAX_LIFETIME_MS, 0, Long.MAX_VALUE);
        if (maxLifetime != 0 && maxLifetime < 30_000) {
            throw s.invalid("maxLifetimeMs", "must be 0 (never) or at least 30000");
        }
        long connectionTimeout = s.longValue("connectionTimeoutMs", DEFAULT_CONNECTION_TIMEOUT_MS, 250, 3_600_000);
        long validationTimeout = s.longValue("validationTimeoutMs",
                Math.min(DEFAULT_VALIDATION_TIMEOUT_MS, connectionTimeout), 250, connectionTimeout);
        return new JdbcSettings(url, s.string("username", null), s.string("password", null),
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
