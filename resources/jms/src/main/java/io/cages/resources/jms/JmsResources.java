package io.cages.resources.jms;

import com.fasterxml.jackson.databind.JsonNode;
import io.cages.api.CageException;
import io.cages.api.Deadline;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The named JMS resources of a host. The host owns this object, so pools outlive cage versions; cages look
 * resources up by name on each use, so a reconfigured resource is picked up by the next send.
 *
 * <p>Reconfiguration is two-step, so the host can make it all-or-nothing together with other kinds:
 * {@link #prepare} validates every entry and connects every new or changed resource without touching the live
 * ones; {@link Change#apply} switches to them and retires the replaced ones, which close once their sends
 * and transactions ended (a send that still reached a replaced one goes to its replacement);
 * {@link Change#discard} closes what was prepared.
 */
public final class JmsResources implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JmsResources.class);

    private final Function<String, String> env;
    private final Duration retireGrace;
    private final Map<String, JmsResource> current = new ConcurrentHashMap<>();

    public JmsResources(Function<String, String> env, Duration retireGrace) {
        this.env = env;
        this.retireGrace = retireGrace;
    }

    /** @throws CageException NOT_FOUND naming the known resources */
    public JmsResource get(String name) throws CageException {
        JmsResource r = current.get(name);
        if (r == null) {
            throw CageException.notFound("no jms resource \"" + name + "\"; known: " + new TreeSet<>(current.keySet()));
        }
        return r;
    }

    /** Counts per resource, by name. */
    public Map<String, Map<String, Object>> status() {
        Map<String, Map<String, Object>> out = new TreeMap<>();
        current.forEach((name, r) -> {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("brokerUrl", r.settings().brokerUrl());
            s.put("openConnections", r.openConnections());
            s.put("leasedSessions", r.leasedSessions());
            s.put("maxConnections", r.settings().maxConnections());
            s.put("maxSessionsPerConnection", r.settings().maxSessionsPerConnection());
            out.put(name, s);
        });
        return out;
    }

    /**
     * Validates {@code config} (name to settings) and connects each new or changed resource, leaving the live
     * ones alone.
     *
     * @throws IllegalArgumentException naming the resource and the reason; nothing is left open
     */
    public Change prepare(Map<String, JsonNode> config, Duration connectTimeout) {
        Map<String, JmsSettings> wanted = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : config.entrySet()) {
            try {
                wanted.put(e.getKey(), JmsSettings.fromJson(e.getValue(), env));
            } catch (IllegalArgumentException bad) {
                throw new IllegalArgumentException("jms resource \"" + e.getKey() + "\": " + bad.getMessage(), bad);
            }
        }
        Map<String, JmsResource> opened = new HashMap<>();
        try {
            for (Map.Entry<String, JmsSettings> e : wanted.entrySet()) {
                JmsResource live = current.get(e.getKey());
                if (live == null || !live.settings().equals(e.getValue())) {
                    JmsResource fresh = new JmsResource(e.getKey(), e.getValue());
                    opened.put(e.getKey(), fresh);
                    probe(fresh, connectTimeout);
                }
            }
        } catch (RuntimeException e) {
            opened.values().forEach(JmsResource::close);
            throw e;
        }
        return new Change(wanted.keySet(), opened);
    }

    /** Sends nothing: lends one session (which opens a connection) and gives it back. */
    private static void probe(JmsResource resource, Duration timeout) {
        try {
            resource.begin(Deadline.after(timeout)).rollback();
        } catch (CageException e) {
            throw new IllegalArgumentException("jms resource \"" + resource.name() + "\": cannot connect to "
                    + resource.settings().brokerUrl() + ": " + e.getMessage(), e);
        }
    }

    /** A prepared reconfiguration: exactly one of {@link #apply} or {@link #discard}. */
    public final class Change {
        private final java.util.Set<String> names;
        private final Map<String, JmsResource> opened;

        private Change(java.util.Set<String> names, Map<String, JmsResource> opened) {
            this.names = java.util.Set.copyOf(names);
            this.opened = opened;
        }

        public void apply() {
            opened.forEach((name, fresh) -> {
                JmsResource old = current.put(name, fresh);
                if (old != null) {
                    old.retire(fresh, retireGrace);
                }
                LOG.info("jms resource {}: {} {}", name, old == null ? "opened with" : "reconnected with", fresh.settings());
            });
            for (String name : new java.util.ArrayList<>(current.keySet())) {
                if (!names.contains(name)) {
                    current.remove(name).retire(null, retireGrace);
                    LOG.info("jms resource {}: removed", name);
                }
            }
        }

        public void discard() {
            opened.values().forEach(JmsResource::close);
        }
    }

    @Override
    public void close() {
        current.values().forEach(JmsResource::close);
        current.clear();
    }
}
