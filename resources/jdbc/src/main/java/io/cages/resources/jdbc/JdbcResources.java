package io.cages.resources.jdbc;

import com.fasterxml.jackson.databind.JsonNode;
import io.cages.api.CageException;
import io.cages.resources.jdbc.internal.Pool;
import io.cages.resources.jdbc.internal.ResourceHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The named JDBC resources of a host, one HikariCP pool each. The host owns this object, so pools outlive
 * cage swaps; cages look resources up by name.
 */
public final class JdbcResources implements AutoCloseable {

    /** How long a replaced pool may keep lent connections before it is closed regardless. */
    public static final Duration DEFAULT_RETIRE_GRACE = Duration.ofSeconds(30);

    private final Function<String, String> env;
    private final Duration retireGrace;
    private final Map<String, ResourceHandle> handles = new ConcurrentHashMap<>();
    private final AtomicInteger generation = new AtomicInteger();
    private final List<java.util.concurrent.CompletableFuture<Void>> retiring = new ArrayList<>();

    /** Starts a pool per entry; nothing is left open if any entry is invalid or unreachable. */
    public JdbcResources(Map<String, JsonNode> config) throws CageException {
        this(config, System::getenv, DEFAULT_RETIRE_GRACE);
    }

    public JdbcResources(Map<String, JsonNode> config, Function<String, String> env, Duration retireGrace)
            throws CageException {
        this.env = env;
        this.retireGrace = retireGrace;
        reconfigure(config);
    }

    /**
     * @throws CageException NOT_FOUND naming the known resources
     */
    public JdbcResource get(String name) throws CageException {
        ResourceHandle h = handles.get(name);
        if (h == null) {
            throw CageException.notFound("no jdbc resource \"" + name + "\"; known: " + new TreeSet<>(handles.keySet()));
        }
        return h;
    }

    public Map<String, PoolMetrics> metrics() {
        Map<String, PoolMetrics> out = new java.util.TreeMap<>();
        handles.forEach((n, h) -> out.put(n, h.metrics()));
        return out;
    }

    /**
     * Applies a new set of resources. All entries are validated and every new pool is connected first; if any
     * fails, nothing changes and the error names the resource. Then: size and timeout changes are applied to
     * the live pool; a changed url or credentials gets a new pool, new borrows go to it and the old pool
     * closes once its connections are returned (at most the retire grace later); removed resources retire the
     * same way.
     */
    public synchronized void reconfigure(Map<String, JsonNode> config) throws CageException {
        Map<String, JdbcSettings> wanted = JdbcSettings.parseAll(config, env);
        Map<String, Pool> started = new HashMap<>();
        try {
            for (Map.Entry<String, JdbcSettings> e : wanted.entrySet()) {
                ResourceHandle h = handles.get(e.getKey());
                if (h == null || !h.pool().settings().sameDatabase(e.getValue())) {
                    started.put(e.getKey(), Pool.start(e.getKey(), e.getValue(), generation.incrementAndGet()));
                }
            }
        } catch (CageException | RuntimeException e) {
            started.values().forEach(p -> p.retire(Duration.ZERO));
            throw e;
        }
        for (Map.Entry<String, JdbcSettings> e : wanted.entrySet()) {
            String name = e.getKey();
            Pool fresh = started.get(name);
            ResourceHandle h = handles.get(name);
            if (h == null) {
                handles.put(name, new ResourceHandle(name, fresh));
            } else if (fresh != null) {
                Pool old = h.pool();
                h.switchTo(fresh);
                retiring.add(old.retire(retireGrace));
            } else if (!h.pool().settings().equals(e.getValue())) {
                h.pool().adopt(e.getValue());
            }
        }
        for (String name : new ArrayList<>(handles.keySet())) {
            if (!wanted.containsKey(name)) {
                ResourceHandle h = handles.remove(name);
                Pool old = h.pool();
                h.switchTo(null);
                retiring.add(old.retire(retireGrace));
            }
        }
        retiring.removeIf(java.util.concurrent.CompletableFuture::isDone);
    }

    /** Closes every pool, waiting for lent connections up to the retire grace. */
    @Override
    public synchronized void close() {
        for (ResourceHandle h : handles.values()) {
            Pool p = h.pool();
            h.switchTo(null);
            retiring.add(p.retire(retireGrace));
        }
        handles.clear();
        retiring.forEach(java.util.concurrent.CompletableFuture::join);
        retiring.clear();
    }
}
