package io.cages.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cages.host.testing.Await;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three hosts, each in its own network namespace on a bridged LAN ({@code tools/netns/flock-net}), finding
 * each other by UDP multicast as on a real LAN. Cutting one host's link takes it out of the others'
 * directories within 3 s; plugging it back brings it back. Needs root: skipped (and reported so) elsewhere,
 * but never skipped under CI, where a missing root is a failure.
 */
class NetnsFlockTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path FLOCK_NET = Path.of(System.getProperty("cages.repo", "../..")).resolve("tools/netns/flock-net");

    @TempDir
    Path dir;
    final List<HostProcess> hosts = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("CI must run the network namespace test as root; it runs as " + System.getProperty("user.name"));
        }
        Assumptions.assumeTrue(root, "needs root to create network namespaces; skipped");
        run(FLOCK_NET.toString(), "up", "3");
        String flock = "netns-" + UUID.randomUUID();
        for (int i = 1; i <= 3; i++) {
            String address = "10.213.7." + i;
            ObjectNode section = JSON.createObjectNode().put("name", flock).put("discovery", "multicast")
                    .put("bind", address).put("multicastAddress", "228.13.7.1").put("multicastPort", 45613)
                    .put("rpcPort", 7070).put("publishMs", 200);
            ObjectNode transports = JSON.createObjectNode();
            transports.set("flock", section);
            hosts.add(HostProcess.start("n" + i, dir.resolve("n" + i), Map.of("hello", RunningHost.example("hello")), transports,
                    List.of("ip", "netns", "exec", "cg-h" + i), address));
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (HostProcess host : hosts) {
            host.close();
        }
        if ("root".equals(System.getProperty("user.name"))) {
            run(FLOCK_NET.toString(), "down");
        }
    }

    @Test
    void discoveryCrossesTheLinkAndACutLinkLeavesAndComesBack() throws Exception {
        HostProcess n1 = hosts.get(0);
        Await.until("all three find each other by multicast", Duration.ofSeconds(30), () -> members(n1).equals(Set.of("n1", "n2", "n3")));
        assertEquals(Set.of("n1", "n2", "n3"), members(hosts.get(2)));

        long cutAt = System.nanoTime();
        run(FLOCK_NET.toString(), "cut", "3");
        Await.until("n3 leaves n1's directory", Duration.ofSeconds(10), () -> !members(n1).contains("n3"));
        long leftMs = (System.nanoTime() - cutAt) / 1_000_000;

        long restoredAt = System.nanoTime();
        run(FLOCK_NET.toString(), "restore", "3");
        Await.until("n3 comes back after the link is restored", Duration.ofSeconds(30), () -> members(n1).equals(Set.of("n1", "n2", "n3")));
        long backMs = (System.nanoTime() - restoredAt) / 1_000_000;

        System.out.printf("netns flock: cut link -> left the directory in %d ms; restored -> back in %d ms%n", leftMs, backMs);
        assertTrue(leftMs < 3_000, "a cut-off host leaves the directory within 3 s: " + leftMs + " ms");
    }

    /** The host's directory; a query that fails fails the test (an empty answer would read as "left"). */
    private static Set<String> members(HostProcess host) {
        try {
            return host.flockMembers();
        } catch (Exception e) {
            throw new AssertionError("cannot read " + host.name + "'s directory", e);
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
    }
}
