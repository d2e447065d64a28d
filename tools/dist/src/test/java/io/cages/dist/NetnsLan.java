package io.cages.dist;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;

/**
 * The LAN of network namespaces that {@code tools/netns/flock-net} builds: host {@code i} lives in namespace
 * {@code cg-h<i>} at {@code 10.213.7.<i>}, all on one bridge that carries multicast. Needs root: without it a
 * test is skipped (and reported so), except under CI, where a missing root is a failure, never a skip.
 */
final class NetnsLan implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path FLOCK_NET = Path.of(System.getProperty("cages.repo", "../..")).resolve("tools/netns/flock-net");

    private NetnsLan() {
    }

    /** Builds a LAN of {@code hosts} namespaces (tearing down what an earlier run left). */
    static NetnsLan up(int hosts) throws IOException, InterruptedException {
        requireRoot();
        run("up", Integer.toString(hosts));
        return new NetnsLan();
    }

    /**
     * Skips the test (a failed assumption) when not root, or fails it under CI. Also a class's first extension
     * ({@link #NEEDS_ROOT}), so that nothing the class sets up for its LAN (a PostgreSQL server) starts before
     * the skip.
     */
    static void requireRoot() {
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("CI must run the network namespace tests as root; they run as " + System.getProperty("user.name"));
        }
        Assumptions.assumeTrue(root, "needs root to create network namespaces; skipped");
    }

    /** {@link #requireRoot()} before all of a class: register it with a lower {@code @Order} than the other extensions. */
    static final BeforeAllCallback NEEDS_ROOT = context -> requireRoot();

    static String address(int host) {
        return "10.213.7." + host;
    }

    /** The command prefix that runs a program in host {@code i}'s namespace. */
    static List<String> exec(int host) {
        return List.of("ip", "netns", "exec", "cg-h" + host);
    }

    /**
     * The flocks on this LAN run mutual TLS, as they must beyond loopback (secure by default); with
     * {@code -Dcages.netns.insecure=true} they opt out ({@code "insecure": true}) and run plain TCP, to compare.
     */
    static final boolean INSECURE = Boolean.getBoolean("cages.netns.insecure");

    /**
     * What host {@code host} needs besides {@code transports} (from {@link #flockTransports}) to start on this LAN:
     * its {@code tls} section (top-level host.json keys), its certificate issued from {@code certificates}. Under
     * {@link #INSECURE}, nothing (null): the flock section opts out instead.
     */
    static ObjectNode security(ObjectNode transports, FlockCertificates certificates, String host) {
        if (INSECURE) {
            ((ObjectNode) transports.get("flock")).put("insecure", true);
            return null;
        }
        return certificates.hostConfig(host);
    }

    /** A {@code transports} section joining {@code flock} by multicast on this LAN, bound to host {@code i}. */
    static ObjectNode flockTransports(String flock, int host, long failureTimeoutMs, long rpcIdleTimeoutMs) {
        ObjectNode section = JSON.createObjectNode().put("name", flock).put("discovery", "multicast")
                .put("bind", address(host)).put("multicastAddress", "228.13.7.1").put("multicastPort", 45613)
                .put("rpcPort", 7070).put("publishMs", 200)
                .put("failureTimeoutMs", failureTimeoutMs).put("rpcIdleTimeoutMs", rpcIdleTimeoutMs);
        ObjectNode transports = JSON.createObjectNode();
        transports.set("flock", section);
        return transports;
    }

    /** Takes host {@code i}'s link down: it sends and receives nothing, as if its cable were pulled. */
    void cut(int host) throws IOException, InterruptedException {
        run("cut", Integer.toString(host));
    }

    void restore(int host) throws IOException, InterruptedException {
        run("restore", Integer.toString(host));
    }

    /** Cuts only the path between hosts {@code a} and {@code b}: unicast between them is dropped, both keep their link. */
    void cutBetween(int a, int b) throws IOException, InterruptedException {
        run("cut-pair", Integer.toString(a), Integer.toString(b));
    }

    void restoreBetween(int a, int b) throws IOException, InterruptedException {
        run("restore-pair", Integer.toString(a), Integer.toString(b));
    }

    /** A test's teardown: its host processes first, then the LAN they ran on (null if it never came up). */
    static void stop(List<HostProcess> hosts, NetnsLan lan) throws Exception {
        for (HostProcess host : hosts) {
            host.close();
        }
        if (lan != null) {
            lan.close();
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        run("down");
    }

    private static void run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(FLOCK_NET.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
    }
}
