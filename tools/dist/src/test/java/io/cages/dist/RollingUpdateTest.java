package io.cages.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.cagectl.CageCtl;
import io.cages.host.admin.DeployRecord;
import io.cages.host.testing.Await;
import io.cages.host.testing.TestCages;
import io.cages.testcages.rolling.RollingCage;
import java.io.PrintWriter;
import java.io.StringWriter;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolling update of three hosts (one JVM, real sockets) under load, through cagectl's own code, with a version
 * that fails every third request: the first host rolls back within its watch, the rollout stops, the other two
 * never get the version, and the only failed requests are those the bad version itself answered.
 */
class RollingUpdateTest {

    @TempDir
    Path dir;

    @Test
    void aVersionWhoseErrorsRiseRollsBackOnTheFirstHostAndReachesNoOther() throws Exception {
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
            for (int i = 0; i < 3; i++) {
                Path home = dir.resolve("host" + i);
                RunningHost h = new RunningHost(RunningHost.configIn(home).withName("host" + i).withDeployDir(home.resolve("deploy")));
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
            long started = System.nanoTime();
            int exit = new CageCtl(Map.of(), new PrintWriter(out, true), new PrintWriter(err, true), ZoneOffset.UTC)
                    .execute("deploy", "--flock", "--hosts", urls, "--watch", "3s", bad.toString());
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            loading.set(false);
            for (Thread t : clients) {
                t.join(10_000);
            }
            System.out.println("cagectl exit " + exit + " after " + tookMs + " ms\n--- out\n" + out + "--- err\n" + err);

            assertEquals(1, exit, "a rollback fails the rollout");
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
}
