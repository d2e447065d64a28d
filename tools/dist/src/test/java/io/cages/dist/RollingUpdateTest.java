package io.cages.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cages.cagectl.CageCtl;
import io.cages.host.HostConfig;
import io.cages.host.admin.DeployRecord;
import io.cages.host.testing.Await;
import io.cages.host.testing.Ports;
import io.cages.host.testing.TestCages;
import io.cages.testcages.rolling.RollingCage;
import io.cages.transport.flock.FlockTransport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolling update of three hosts (one JVM, real sockets) under load, through cagectl's own code, with a version
 * that fails every third request: the first host rolls back within its watch, the rollout stops, the other two
 * never get the version, and the only failed requests are those the bad version itself answered. Once with the
 * hosts given by {@code --hosts}, once found in the flock's directory (each host publishes its admin URL).
 */
class RollingUpdateTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aVersionWhoseErrorsRiseRollsBackOnTheFirstHostAndReachesNoOther() throws Exception {
        rollOutTheFaultyVersion(false);
    }

    @Test
    void theRolloutFindsTheHostsInTheFlocksDirectoryWithoutHosts() throws Exception {
        rollOutTheFaultyVersion(true);
    }

    /** {@code fromFlock}: the hosts are in one flock and cagectl, given the second host only, finds the others. */
    private void rollOutTheFaultyVersion(boolean fromFlock) throws Exception {
        byte[] good = TestCages.build("rolling", "1.0.0", RollingCage.class);
        Path bad = Files.write(dir.resolve("rolling-1.0.1.jar"), TestCages.build("rolling", RollingCage.FAULTY, RollingCage.class));
        RollingCage.answered().clear();
        List<RunningHost> hosts = new ArrayList<>();
        AtomicBoolean loading = new AtomicBoolean(true);
        List<Thread> clients = new ArrayList<>();
        Map<String, Integer> seen = new ConcurrentHashMap<>(); // request id -> HTTP status the client got
        Set<String> failedWithVersion = ConcurrentHashMap.newKeySet();
        AtomicLong clientErrors = new AtomicLong();
        try {
            String flock = "rolling-" + UUID.randomUUID();
            int[] flockPorts = {Ports.free(), Ports.free(), Ports.free()};
            for (int i = 0; i < 3; i++) {
                Path home = dir.resolve("host" + i);
                HostConfig config = RunningHost.configIn(home).withName("host" + i).withDeployDir(home.resolve("deploy"));
                RunningHost h = fromFlock
                        ? new RunningHost(config.withTransport("flock", flockSection(flock, flockPorts, i)), new FlockTransport())
                        : new RunningHost(config);
                hosts.add(h);
                assertEquals(200, h.deploy(good).statusCode());
                // A scrape builds the metrics now (not 3 s after start): the baseline comes from their history rings.
                assertEquals(200, h.send(java.net.http.HttpRequest.newBuilder(h.admin("/metrics"))).statusCode());
            }
            for (int i = 0; i < 3; i++) {
                RunningHost h = hosts.get(i);
                String prefix = "h" + i + "-";
                clients.add(Thread.ofPlatform().name("client-" + i).start(() -> {
                    for (long n = 0; loading.get(); n++) {
                        String id = prefix + n;
                        try {
                            HttpResponse<String> r = h.get("/rolling/work?id=" + id);
                            seen.put(id, r.statusCode());
                            if (r.statusCode() != 200) {
                                failedWithVersion.add(id + " " + r.headers().firstValue("X-Cage-Version").orElse("?"));
                            }
                        } catch (Exception e) {
                            seen.put(id, -1);
                            clientErrors.incrementAndGet();
                        }
                    }
                }));
            }
            // A baseline: every host has served a good while before the rollout starts.
            Await.until("a baseline of requests on every host", Duration.ofSeconds(20),
                    () -> seen.keySet().stream().map(k -> k.substring(0, 2)).distinct().count() == 3 && seen.size() > 600);

            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            String urls = String.join(",", hosts.stream().map(h -> "http://127.0.0.1:" + h.http.adminPort()).toList());
            if (fromFlock) {
                Await.until("every host lists all three with their admin URLs", Duration.ofSeconds(20),
                        () -> hosts.stream().allMatch(h -> adminUrlsListedBy(h).equals(urlsByName(hosts))));
            }
            long started = System.nanoTime();
            CageCtl cagectl = new CageCtl(Map.of(), new PrintWriter(out, true), new PrintWriter(err, true), ZoneOffset.UTC);
            int exit = fromFlock
                    ? cagectl.execute("--admin", "http://127.0.0.1:" + hosts.get(1).http.adminPort(), "deploy", "--flock", "--watch", "3s", bad.toString())
                    : cagectl.execute("deploy", "--flock", "--hosts", urls, "--watch", "3s", bad.toString());
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            loading.set(false);
            for (Thread t : clients) {
                t.join(10_000);
            }
            System.out.println("cagectl exit " + exit + " after " + tookMs + " ms\n--- out\n" + out + "--- err\n" + err);

            assertEquals(1, exit, "a rollback fails the rollout");
            if (fromFlock) {
                assertTrue(out.toString().contains("rollout order (by host name): host0 http://127.0.0.1:" + hosts.get(0).http.adminPort()
                        + ", host1 http://127.0.0.1:" + hosts.get(1).http.adminPort()
                        + ", host2 http://127.0.0.1:" + hosts.get(2).http.adminPort() + "\n"), out.toString());
            }
            String first = "http://127.0.0.1:" + hosts.get(0).http.adminPort();
            String errText = err.toString();
            assertTrue(errText.contains(first + ": ROLLED BACK rolling 1.0.1 (was 1.0.0): rolled back: error rate "), errText);
            assertTrue(errText.contains("rollout stopped; not updated: http://127.0.0.1:" + hosts.get(1).http.adminPort()
                    + ", http://127.0.0.1:" + hosts.get(2).http.adminPort()), errText);

            // The first host: the update, then the rollback with its reason; 1.0.0 serves again.
            List<DeployRecord> history0 = hosts.get(0).host.admin().history();
            DeployRecord rollback = history0.getLast();
            assertEquals("ROLLBACK", rollback.action());
            assertEquals("1.0.0", rollback.version());
            assertEquals(RollingCage.FAULTY, rollback.previous());
            assertTrue(rollback.reason().startsWith("rolled back: error rate ") && rollback.reason().contains("threshold +5 points"), rollback.reason());
            assertEquals("UPDATE", history0.get(history0.size() - 2).action());
            io.cages.host.admin.Rollout rollout = hosts.get(0).host.admin().rollouts().getLast();
            assertEquals("ROLLED_BACK", rollout.state().name());
            assertTrue(rollout.baseline().requests() > 100 && rollout.baseline().errors() == 0,
                    "the baseline is the old version's last minute on this host: " + rollout.baseline());
            assertTrue(rollout.observed().errors() > 0, String.valueOf(rollout.observed()));
            assertTrue(rollback.reason().contains("vs 0.0% before"), rollback.reason());
            // The others never saw the version.
            for (RunningHost h : hosts) {
                assertEquals("1.0.0", h.host.admin().cages().getFirst().activeVersion(), h.host.config().name());
            }
            for (RunningHost h : hosts.subList(1, 3)) {
                assertTrue(h.host.admin().history().stream().noneMatch(r -> RollingCage.FAULTY.equals(r.version())),
                        h.host.config().name() + " history: " + h.host.admin().history());
                assertTrue(h.host.admin().rollouts().isEmpty());
            }

            // What clients saw against what the cages did: every request answered once, by some version; the
            // only failures are the bad version's own answers, and only on the first host.
            Set<String> serverIds = new HashSet<>();
            Set<String> serverFailed = new HashSet<>();
            long badAnswered = 0;
            for (String line : RollingCage.answered()) {
                String[] f = line.split(" ");
                assertTrue(serverIds.add(f[0]), "answered twice: " + f[0]);
                if (f[1].equals(RollingCage.FAULTY)) {
                    badAnswered++;
                    assertTrue(f[0].startsWith("h0-"), "only the first host ran the bad version: " + line);
                }
                if (f[2].equals("failed")) {
                    serverFailed.add(f[0]);
                }
            }
            Set<String> clientFailed = new HashSet<>();
            seen.forEach((id, status) -> {
                if (status != 200) {
                    clientFailed.add(id);
                }
            });
            System.out.printf("requests: %d sent, %d answered by the cages, %d answered by %s in its window, %d failed"
                            + " (all by %s), %d transport errors%n", seen.size(), serverIds.size(), badAnswered,
                    RollingCage.FAULTY, clientFailed.size(), RollingCage.FAULTY, clientErrors.get());
            assertEquals(0, clientErrors.get(), "no request failed on its way");
            assertEquals(seen.keySet(), serverIds, "every request the clients sent was answered by a cage, none dropped");
            assertEquals(serverFailed, clientFailed, "the failures clients saw are exactly the bad version's own");
            assertFalse(clientFailed.isEmpty(), "the bad version did fail requests in its window");
            for (String f : failedWithVersion) {
                assertTrue(f.endsWith(" " + RollingCage.FAULTY) || f.endsWith(" ?"), f);
            }
            assertNotNull(rollback.reason());
        } finally {
            loading.set(false);
            for (Thread t : clients) {
                t.join(10_000);
            }
            hosts.forEach(RunningHost::close);
        }
    }

    private static ObjectNode flockSection(String name, int[] ports, int self) {
        ObjectNode section = JSON.createObjectNode().put("name", name).put("discovery", "static")
                .put("bind", "127.0.0.1").put("port", ports[self]).put("rpcPort", 0).put("publishMs", 100);
        for (int j = 0; j < ports.length; j++) {
            if (j != self) {
                section.withArray("hosts").add("127.0.0.1:" + ports[j]);
            }
        }
        return section;
    }

    /** What each host's admin listener is, by host name. */
    private static Map<String, String> urlsByName(List<RunningHost> hosts) {
        Map<String, String> urls = new TreeMap<>();
        hosts.forEach(h -> urls.put(h.host.config().name(), "http://127.0.0.1:" + h.http.adminPort()));
        return urls;
    }

    /** {@code GET /flock} of {@code on}, over HTTP as cagectl reads it: each member's adminUrl by name. */
    private static Map<String, String> adminUrlsListedBy(RunningHost on) {
        try {
            HttpResponse<String> response = on.send(HttpRequest.newBuilder(on.admin("/flock")));
            assertEquals(200, response.statusCode(), response.body());
            Map<String, String> urls = new TreeMap<>();
            for (JsonNode member : JSON.readTree(response.body())) {
                urls.put(member.path("name").asText(), member.path("adminUrl").isTextual() ? member.path("adminUrl").asText() : null);
            }
            return urls;
        } catch (java.io.IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
