package io.cages.transport.flock;

import com.fasterxml.jackson.databind.JsonNode;
import io.cages.host.spi.Settings;
import io.cages.transport.rpc.RpcSettings;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The {@code transports.flock} section of the host config. Every key but {@code name} has a default; unknown
 * keys are rejected, strings (and numbers given as strings) may be {@code ${env:NAME}}.
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
 *     "rpcIdleTimeoutMs": 3000,      // an RPC connection silent this long is closed
 *     "keyExchangePort": 2157,       // with flock credentials: where the coordinator hands members the group key
 *     "insecure": false              // true: beyond loopback without a tls section (plain, open to the LAN)
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
 * @param keyExchangePort  with flock credentials ({@link FlockCredentials}): the TLS port the coordinator hands the
 *                         group key out on (JGroups' SSL_KEY_EXCHANGE), the same on every host; unused without
 * @param insecure         the explicit opt-out of secure by default ({@link PlaintextFlockRule}): a flock that binds
 *                         beyond loopback starts without a {@code tls} section, plain and open to its network
 */
public record FlockSettings(String name, String discovery, String bind, String multicastAddress, Integer multicastPort,
                            Integer port, List<String> hosts, Integer rpcPort, Long publishMs, Long failureTimeoutMs,
                            Long rpcIdleTimeoutMs, Integer keyExchangePort, boolean insecure) {

    private static final String PATH = "transports.flock";
    private static final Set<String> KEYS = Set.of("name", "discovery", "bind", "multicastAddress", "multicastPort",
            "port", "hosts", "rpcPort", "publishMs", "failureTimeoutMs", "rpcIdleTimeoutMs", "keyExchangePort",
            "insecure");

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
            String wrong = hostProblem(host);
            if (wrong != null) {
                throw new IllegalArgumentException("transports.flock.hosts: '" + host + "' " + wrong);
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
        keyExchangePort = port(keyExchangePort, 2157, "keyExchangePort");
        if (keyExchangePort == 0) {
            throw new IllegalArgumentException(PATH + ".keyExchangePort must be 1..65535: members find the coordinator's on it");
        }
        rpcIdleTimeoutMs = rpcIdleTimeoutMs == null ? RpcSettings.defaults().idleTimeoutMs() : rpcIdleTimeoutMs;
        long minIdle = 2 * RpcSettings.defaults().heartbeatIntervalMs();
        if (rpcIdleTimeoutMs < minIdle) {
            throw new IllegalArgumentException("transports.flock.rpcIdleTimeoutMs must be at least " + minIdle
                    + " (twice the RPC heartbeat), was " + rpcIdleTimeoutMs);
        }
    }

    /** The same settings, secure by default (not {@code insecure}). */
    public FlockSettings(String name, String discovery, String bind, String multicastAddress, Integer multicastPort,
                         Integer port, List<String> hosts, Integer rpcPort, Long publishMs, Long failureTimeoutMs,
                         Long rpcIdleTimeoutMs, Integer keyExchangePort) {
        this(name, discovery, bind, multicastAddress, multicastPort, port, hosts, rpcPort, publishMs, failureTimeoutMs,
                rpcIdleTimeoutMs, keyExchangePort, false);
    }

    /** The same settings without a key exchange port of their own (the default). */
    public FlockSettings(String name, String discovery, String bind, String multicastAddress, Integer multicastPort,
                         Integer port, List<String> hosts, Integer rpcPort, Long publishMs, Long failureTimeoutMs,
                         Long rpcIdleTimeoutMs) {
        this(name, discovery, bind, multicastAddress, multicastPort, port, hosts, rpcPort, publishMs, failureTimeoutMs,
                rpcIdleTimeoutMs, null);
    }

    /** Reads the section, with {@code ${env:NAME}} from the process environment. */
    public static FlockSettings from(JsonNode section) {
        return from(section, System::getenv);
    }

    /**
     * Reads the section; every check of the constructor is made here first, so the message names the key's
     * full path and never shows a value that came from the environment.
     *
     * @throws io.cages.host.spi.SettingsException naming the key that is wrong
     */
    public static FlockSettings from(JsonNode section, Function<String, String> env) {
        Settings s = Settings.of(section, PATH, env, KEYS);
        String name = s.string("name", null);
        if (name == null || name.isBlank()) {
            throw s.invalid("name", "is required: the name of the flock to join");
        }
        String discovery = s.choice("discovery", "multicast", "multicast", "static");
        List<String> hosts = s.strings("hosts");
        if (discovery.equals("static") && hosts.isEmpty()) {
            throw s.invalid("hosts", "must list the other hosts (address:port) for static discovery");
        }
        for (int i = 0; i < hosts.size(); i++) {
            String wrong = hostProblem(hosts.get(i));
            if (wrong != null) {
                throw s.invalid("hosts[" + i + "]", wrong);
            }
        }
        Long rpcIdleTimeoutMs = s.optionalLong("rpcIdleTimeoutMs", 0, Long.MAX_VALUE);
        long minIdle = 2 * RpcSettings.defaults().heartbeatIntervalMs();
        if (rpcIdleTimeoutMs != null && rpcIdleTimeoutMs < minIdle) {
            throw s.invalid("rpcIdleTimeoutMs", "must be at least " + minIdle + " (twice the RPC heartbeat)");
        }
        return new FlockSettings(name, discovery, s.string("bind", null), s.string("multicastAddress", null),
                s.optionalInteger("multicastPort", 0, 65535), s.optionalInteger("port", 0, 65535), hosts,
                s.optionalInteger("rpcPort", 0, 65535), s.optionalLong("publishMs", 50, Long.MAX_VALUE),
                s.optionalLong("failureTimeoutMs", 500, Long.MAX_VALUE), rpcIdleTimeoutMs,
                s.optionalInteger("keyExchangePort", 1, 65535), s.flag("insecure", false));
    }

    /**
     * Null when {@code host} is an {@code address:port} JGroups can contact, else what is wrong with it. Why so
     * strict: TCPPING reads the hosts as one string, {@code address[port]} separated by commas or white space, so
     * such a character or a bracket in an address garbles the list (a bracketed IPv6 address makes it parse the
     * address as the port: a bare NumberFormatException at start), and it takes a port out of range as it is.
     */
    private static String hostProblem(String host) {
        int colon = host.lastIndexOf(':');
        if (colon <= 0 || !host.substring(colon + 1).matches("\\d{1,5}")) {
            return "is not address:port";
        }
        for (int i = 0; i < colon; i++) {
            char c = host.charAt(i);
            if (Character.isWhitespace(c) || c == ',' || c == '[' || c == ']') {
                return "is not address:port (one host per entry; an IPv6 address goes without brackets: fe80::1:7800)";
            }
        }
        int port = Integer.parseInt(host.substring(colon + 1));
        return port >= 1 && port <= 65_535 ? null : "has a port out of range: must be 1..65535";
    }

    private static int port(Integer value, int fallback, String key) {
        if (value == null) {
            return fallback;
        }
        if (value < 0 || value > 65535) {
            throw new IllegalArgumentException(PATH + "." + key + " must be 0..65535, was " + value);
        }
        return value;
    }
}
