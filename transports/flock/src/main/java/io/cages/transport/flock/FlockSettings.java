package io.cages.transport.flock;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.cages.transport.rpc.RpcSettings;
import java.util.List;

/**
 * The {@code transports.flock} section of the host config. Every key but {@code name} has a default.
 *
 * <pre>{@code
 * "transports": { "flock": {
 *     "name": "payments",            // hosts of other flocks never see or call this one
 *     "discovery": "multicast",      // or "static" where multicast is not allowed
 *     "bind": "10.0.0.5",            // the interface to use (default: the host's first non-loopback one)
 *     "multicastAddress": "228.8.8.8", "multicastPort": 45588,
 *     "port": 7800,                  // static discovery: this host's membership port
 *     "hosts": ["10.0.0.5:7800", "10.0.0.6:7800"],   // static discovery: the other hosts
 *     "rpcPort": 7070,               // calls from other hosts
 *     "publishMs": 500,              // how often this host's cages and load are re-published
 *     "failureTimeoutMs": 1200,      // a host silent this long leaves the directory
 *     "rpcIdleTimeoutMs": 3000       // an RPC connection silent this long is closed
 * } }
 * }</pre>
 *
 * @param name             the flock's name
 * @param discovery        {@code multicast} or {@code static}
 * @param bind             address to bind membership and RPC to, and to publish; null = chosen by JGroups
 * @param multicastAddress multicast group (multicast discovery)
 * @param multicastPort    multicast port (multicast discovery)
 * @param port             membership TCP port (static discovery)
 * @param hosts            other hosts as {@code address:port} (static discovery)
 * @param rpcPort          RPC listener port; 0 picks a free one
 * @param publishMs        re-publish interval
 * @param failureTimeoutMs a host silent this long is taken out of the directory
 * @param rpcIdleTimeoutMs an RPC connection whose peer is silent this long (pings unanswered) is closed and its
 *                         calls fail as connection lost; calls to a host the directory drops end at once anyway
 */
public record FlockSettings(String name, String discovery, String bind, String multicastAddress, Integer multicastPort,
                            Integer port, List<String> hosts, Integer rpcPort, Long publishMs, Long failureTimeoutMs,
                            Long rpcIdleTimeoutMs) {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    public FlockSettings {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("transports.flock.name is required: the name of the flock to join");
        }
        discovery = discovery == null ? "multicast" : discovery;
        if (!discovery.equals("multicast") && !discovery.equals("static")) {
            throw new IllegalArgumentException("transports.flock.discovery must be 'multicast' or 'static', was '" + discovery + "'");
        }
        multicastAddress = multicastAddress == null ? "228.8.8.8" : multicastAddress;
        multicastPort = port(multicastPort, 45588, "multicastPort");
        port = port(port, 7800, "port");
        hosts = hosts == null ? List.of() : List.copyOf(hosts);
        if (discovery.equals("static") && hosts.isEmpty()) {
            throw new IllegalArgumentException("transports.flock.hosts must list the other hosts (address:port) for static discovery");
        }
        for (String host : hosts) {
            int colon = host.lastIndexOf(':');
            if (colon <= 0 || !host.substring(colon + 1).matches("\\d{1,5}")) {
                throw new IllegalArgumentException("transports.flock.hosts: '" + host + "' is not address:port");
            }
        }
        rpcPort = port(rpcPort, 7070, "rpcPort");
        publishMs = publishMs == null ? 500L : publishMs;
        if (publishMs < 50) {
            throw new IllegalArgumentException("transports.flock.publishMs must be at least 50, was " + publishMs);
        }
        failureTimeoutMs = failureTimeoutMs == null ? 1_200L : failureTimeoutMs;
        if (failureTimeoutMs < 500) {
            throw new IllegalArgumentException("transports.flock.failureTimeoutMs must be at least 500, was " + failureTimeoutMs);
        }
        rpcIdleTimeoutMs = rpcIdleTimeoutMs == null ? RpcSettings.defaults().idleTimeoutMs() : rpcIdleTimeoutMs;
        long minIdle = 2 * RpcSettings.defaults().heartbeatIntervalMs();
        if (rpcIdleTimeoutMs < minIdle) {
            throw new IllegalArgumentException("transports.flock.rpcIdleTimeoutMs must be at least " + minIdle
                    + " (twice the RPC heartbeat), was " + rpcIdleTimeoutMs);
        }
    }

    /**
     * Reads the section.
     *
     * @throws IllegalArgumentException naming the key that is wrong
     */
    public static FlockSettings from(JsonNode section) {
        try {
            return MAPPER.treeToValue(section, FlockSettings.class);
        } catch (JsonProcessingException e) {
            if (e.getCause() instanceof IllegalArgumentException check) {
                throw new IllegalArgumentException(check.getMessage(), e); // already names the key
            }
            throw new IllegalArgumentException("transports.flock: " + e.getOriginalMessage(), e);
        } catch (IllegalArgumentException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException inner ? inner : e;
            throw new IllegalArgumentException(cause.getMessage(), e);
        }
    }

    private static int port(Integer value, int fallback, String key) {
        if (value == null) {
            return fallback;
        }
        if (value < 0 || value > 65535) {
            throw new IllegalArgumentException("transports.flock." + key + " must be 0..65535, was " + value);
        }
        return value;
    }
}
