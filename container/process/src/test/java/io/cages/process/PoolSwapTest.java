package io.cages.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.host.admin.DeployRecord;
import io.cages.host.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Live swap of a pool cage under load: the new workers pass the self-test first, the old ones drain and exit. */
class PoolSwapTest {

    @TempDir
    Path dir;

    static final String WORKER = """
            import os, time
            import cages_worker
            VERSION = os.environ["CAGE_VERSION"]
            def work(params, request):
                time.sleep(0.002)
                return {"version": VERSION, "pid": os.getpid()}
            cages_worker.serve({"work": work})
            """;

    static byte[] version(int n) {
        return ProcessKit.archive(ProcessKit.manifest("swapped", "1.0." + n, List.of("python3", "worker.py"), "pool", 4,
                "selfTest", Map.of("operation", "work"), "terminationTimeoutMs", 1000), Map.of("worker.py", WORKER));
    }

    @Test
    void twentySwapsUnderEightClientsFailNoRequest() throws Exception {
        try (ProcessKit kit = new ProcessKit(dir)) {
            kit.deployOk(version(0));
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger ok = new AtomicInteger();
            List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            Map<String, AtomicInteger> byVersion = new ConcurrentHashMap<>();
            List<Thread> clients = new ArrayList<>();
            long executedBefore = kit.host.executedRequests();
            for (int t = 0; t < 8; t++) {
                clients.add(Thread.ofVirtual().start(() -> {
                    while (!stop.get()) {
                        try {
                            String v = kit.callOk("swapped", "work", Map.of()).get("version").asText();
                            byVersion.computeIfAbsent(v, k -> new AtomicInteger()).incrementAndGet();
                            ok.incrementAndGet();
                        } catch (Exception e) {
                            failures.add(e);
                        }
                    }
                }));
            }
            Await.until("load running", Duration.ofSeconds(10), () -> ok.get() > 50);
            long started = System.nanoTime();
            for (int n = 1; n <= 20; n++) {
                DeployRecord record = kit.deployOk(version(n));
                assertEquals(DeployRecord.Outcome.ACTIVE, record.outcome());
                int seen = ok.get();
                Await.until("requests served after swap " + n, Duration.ofSeconds(10), () -> ok.get() > seen + 5);
            }
            long swapsMs = (System.nanoTime() - started) / 1_000_000;
            stop.set(true);
            for (Thread t : clients) {
                t.join();
            }
            assertTrue(kit.host.awaitRetirements(Duration.ofSeconds(20)), "old versions drained");
            long executed = kit.host.executedRequests() - executedBefore;
            System.out.printf("pool swap: 20 swaps in %d ms under 8 clients; %d requests answered, %d failed; host executed %d%n",
                    swapsMs, ok.get(), failures.size(), executed);
            assertEquals(List.of(), failures, "failed requests");
            assertEquals(ok.get(), executed, "every request the host ran was answered (server-side count)");
            assertTrue(byVersion.containsKey("1.0.20"), byVersion::toString);
            Await.until("only the active version's workers are left", Duration.ofSeconds(10),
                    () -> ProcessKit.processesWith("worker.py").stream().filter(pid -> isUnder(pid, dir)).count() <= 4);
        }
    }

    /** True when the process runs in a folder under {@code dir} (this test's cages). */
    static boolean isUnder(long pid, Path dir) {
        try {
            return java.nio.file.Files.readSymbolicLink(Path.of("/proc/" + pid + "/cwd")).startsWith(dir.toRealPath());
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
