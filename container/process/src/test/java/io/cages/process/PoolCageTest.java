package io.cages.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cages.api.CageException;
import io.cages.api.ErrorCode;
import io.cages.host.admin.CageInfo;
import io.cages.host.admin.DeployRecord;
import io.cages.host.spi.Reply;
import io.cages.host.testing.Await;
import io.cages.host.testing.TestCages;
import io.cages.testcages.caller.CallerCage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mode pool with real python3 workers: answers, typed errors, misbehaving and killed workers, restart intensity. */
class PoolCageTest {

    @TempDir
    static Path dir;
    static ProcessKit kit;

    /** A worker with one operation per way to behave (and misbehave). */
    static final String WORKER = """
            import base64, os, sys, time
            import cages_worker
            from cages_worker import CageError
            starts = os.environ.get("STARTS_FILE")
            if starts:
                with open(starts, "a") as f:
                    f.write("%d\\n" % os.getpid())
            if os.environ.get("CRASH_IF") and os.path.exists(os.environ["CRASH_IF"]):
                print("refusing to start: " + os.environ["CRASH_IF"] + " exists", file=sys.stderr)
                sys.exit(3)
            def echo(params, request):
                return {"params": params, "body": cages_worker.body_of(request).decode(), "deadlineMs": request["deadlineMs"],
                        "caller": request["caller"], "id": request["id"], "pid": os.getpid()}
            def work(params, request):
                time.sleep(params.get("ms", 0) / 1000)
                if params.get("pidFile"):
                    with open(params["pidFile"], "w") as f:
                        f.write(str(os.getpid()))
                    time.sleep(params.get("holdMs", 0) / 1000)
                return {"pid": os.getpid()}
            def refuse(params, request):
                raise CageError("bad_request", "no such sku: " + str(params.get("sku")))
            def boom(params, request):
                raise ValueError("boom")
            def garbage(params, request):
                os.write(1, b"hello, I am a print to stdout\\n")
                time.sleep(30)
            def flood(params, request):
                chunk = b"x" * (1 << 20)
                for _ in range(100):
                    os.write(1, chunk)
            def closeout(params, request):
                os.close(1)
                time.sleep(30)
            def hang(params, request):
                time.sleep(3600)
            def crash(params, request):
                os._exit(7)
            cages_worker.serve({"echo": echo, "work": work, "retry": work, "refuse": refuse, "boom": boom, "garbage": garbage,
                                "flood": flood, "closeout": closeout, "hang": hang, "crash": crash})
            """;

    static byte[] pool(String name, String version, Object... more) {
        List<Object> keys = new ArrayList<>(List.of("mode", "pool", "selfTest", Map.of("operation", "echo"), "idempotent", List.of("retry")));
        keys.addAll(List.of(more));
        return ProcessKit.archive(ProcessKit.manifest(name, version, List.of("python3", "worker.py"), keys.toArray()),
                Map.of("worker.py", WORKER));
    }

    @BeforeAll
    static void start() throws Exception {
        kit = new ProcessKit(dir);
        kit.deployOk(TestCages.build("caller", "1.0.0", CallerCage.class));
    }

    @AfterAll
    static void stop() {
        if (kit != null) {
            kit.close();
        }
    }

    @Test
    void answersOverHttpAndByNameWithParamsBodyAndDeadline() throws Exception {
        kit.deployOk(pool("echo", "1.0.0", "pool", 2));
        ProcessKit.HttpAnswer answer = kit.post("/echo/echo?sku=bolt", "raw bytes", "application/octet-stream", "X-Cage-Timeout-Ms", "3000");
        assertEquals(200, answer.status(), answer::toString);
        JsonNode value = answer.json();
        assertEquals("bolt", value.get("params").get("sku").asText());
        assertEquals("raw bytes", value.get("body").asText());
        assertTrue(value.get("deadlineMs").asLong() > 2000 && value.get("deadlineMs").asLong() <= 3000, value::toString);
        long pid = value.get("pid").asLong();
        for (int i = 0; i < 5; i++) {
            assertEquals(pid, kit.callOk("echo", "echo", Map.of()).get("pid").asLong(), "one warm worker serves one request after another");
        }
        JsonNode relayed = kit.callOk("caller", "relay", Map.of("target", "echo", "op", "echo", "n", 7)).get("value");
        assertEquals(7, relayed.get("params").get("n").asInt());
        assertEquals("caller", relayed.get("caller").asText());

        CageException refused = ProcessKit.failureOf(kit.call("echo", "refuse", Map.of("sku", "gear"), 5000));
        assertEquals(ErrorCode.BAD_REQUEST, refused.code());
        assertEquals("no such sku: gear", refused.getMessage());
        CageException boom = ProcessKit.failureOf(kit.call("echo", "boom", Map.of(), 5000));
        assertEquals(ErrorCode.INTERNAL, boom.code());
        assertEquals("ValueError: boom", boom.getMessage());
        assertEquals(404, kit.get("/echo/nope").status());
        assertEquals(pid, kit.callOk("echo", "echo", Map.of()).get("pid").asLong(), "typed errors do not cost the worker");
    }

    /**
     * Most requests are written to an idle worker on the dispatching thread (see PoolHandler); these take the
     * other path, a virtual thread of their own: a frame too large to write without blocking, and requests that
     * find every worker busy and wait in the pool's queue.
     */
    @Test
    void aLargeRequestAndRequestsWaitingForABusyWorkerAreServed() throws Exception {
        kit.deployOk(pool("single", "1.0.0", "pool", 1));
        String large = "x".repeat(100_000);
        ProcessKit.HttpAnswer answer = kit.post("/single/echo", large, "application/octet-stream");
        assertEquals(200, answer.status(), answer::toString);
        assertEquals(large, answer.json().get("body").asText());

        List<CompletableFuture<Reply>> calls = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            calls.add(kit.call("single", "work", Map.of("ms", 100), 10_000));
        }
        Set<Long> pids = new HashSet<>();
        for (CompletableFuture<Reply> call : calls) {
            pids.add(call.get(15, TimeUnit.SECONDS).value().get("pid").asLong());
        }
        assertEquals(Set.of(answer.json().get("pid").asLong()), pids, "one worker served the large request and all four, one after another");
    }

    @Test
    void aNodeWorkerServesThroughItsLibrary() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(onPath("node"), "node is not installed");
        String worker = """
                const cages = require('cages_worker');
                cages.serve({
                  echo: (params, request) => ({ params, caller: request.caller, pid: process.pid }),
                  later: async (params) => { await new Promise(r => setTimeout(r, 5)); return { later: true }; },
                  refuse: (params) => { throw new cages.CageError('not_found', 'no such thing: ' + params.what); },
                  boom: () => { console.log('this goes to stderr'); throw new TypeError('boom'); },
                  bytes: () => new cages.Body('a,b\\n1,2\\n', 'text/csv'),
                });
                """;
        kit.deployOk(ProcessKit.archive(ProcessKit.manifest("nodeecho", "1.0.0", List.of("node", "worker.js"), "pool", 2,
                "selfTest", Map.of("operation", "echo")), Map.of("worker.js", worker)));
        JsonNode echoed = kit.callOk("caller", "relay", Map.of("target", "nodeecho", "op", "echo", "x", 1)).get("value");
        assertEquals(1, echoed.get("params").get("x").asInt());
        assertEquals("caller", echoed.get("caller").asText());
        assertTrue(kit.callOk("nodeecho", "later", Map.of()).get("later").asBoolean());
        CageException refused = ProcessKit.failureOf(kit.call("nodeecho", "refuse", Map.of("what", "x"), 5000));
        assertEquals(ErrorCode.NOT_FOUND, refused.code());
        assertEquals("no such thing: x", refused.getMessage());
        CageException boom = ProcessKit.failureOf(kit.call("nodeecho", "boom", Map.of(), 5000));
        assertEquals("TypeError: boom", boom.getMessage());
        ProcessKit.HttpAnswer csv = kit.get("/nodeecho/bytes");
        assertEquals("a,b\n1,2\n", csv.body());
        assertEquals(echoed.get("pid").asLong(), kit.callOk("nodeecho", "echo", Map.of()).get("pid").asLong(), "the same warm worker");
    }

    static boolean onPath(String command) {
        return java.util.Arrays.stream(System.getenv("PATH").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, command)));
    }

    @Test
    void aMisbehavingWorkerFailsOnlyItsOwnRequest() throws Exception {
        kit.deployOk(pool("rogue", "1.0.0", "pool", 4, "terminationTimeoutMs", 300));
        Map<String, String> expected = Map.of(
                "garbage", "wrote a frame of 1751477356 bytes, over the stdout limit of 16777216 bytes (or printed text to stdout",
                "flood", "wrote a frame of 2021161080 bytes, over the stdout limit of 16777216 bytes",
                "closeout", "closed its stdout while still running",
                "hang", "did not answer 'hang' within its deadline");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger served = new AtomicInteger();
        List<Throwable> bystanderFailures = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread bystander = Thread.ofVirtual().start(() -> {
            while (!stop.get()) {
                try {
                    kit.callOk("rogue", "work", Map.of("ms", 5));
                    served.incrementAndGet();
                } catch (Exception e) {
                    bystanderFailures.add(e);
                }
            }
        });
        for (Map.Entry<String, String> each : expected.entrySet()) {
            CageException e = ProcessKit.failureOf(kit.call("rogue", each.getKey(), Map.of(), each.getKey().equals("hang") ? 500 : 5000));
            assertTrue(e.getMessage().contains(each.getValue()), each.getKey() + ": " + e.getMessage());
            assertEquals(each.getKey().equals("hang") ? ErrorCode.DEADLINE_EXCEEDED : ErrorCode.INTERNAL, e.code(), e::getMessage);
        }
        int before = served.get();
        Await.until("the bystander served on", Duration.ofSeconds(5), () -> served.get() > before + 10);
        stop.set(true);
        bystander.join();
        assertEquals(List.of(), bystanderFailures, "other requests never failed");
        assertEquals("ACTIVE", cage("rogue").versions().get(0).state());
    }

    @Test
    void killMinusNineUnderLoadFailsOnlyTheInFlightRequestAndAReplacementServesWithinASecond() throws Exception {
        kit.deployOk(pool("victim", "1.0.0", "pool", 4));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger served = new AtomicInteger();
        Set<Long> pidsSeen = ConcurrentHashMap.newKeySet();
        Map<Long, Long> firstSeenNanos = new ConcurrentHashMap<>();
        List<Throwable> loadFailures = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Thread> load = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            load.add(Thread.ofVirtual().start(() -> {
                while (!stop.get()) {
                    try {
                        long pid = kit.callOk("victim", "work", Map.of("ms", 2)).get("pid").asLong();
                        pidsSeen.add(pid);
                        firstSeenNanos.putIfAbsent(pid, System.nanoTime());
                        served.incrementAndGet();
                    } catch (Exception e) {
                        loadFailures.add(e);
                    }
                }
            }));
        }
        Await.until("load running", Duration.ofSeconds(10), () -> served.get() > 20);

        // A non-idempotent request in flight on the worker that gets kill -9: only it fails.
        Path pidFile = dir.resolve("victim.pid");
        CompletableFuture<Reply> held = kit.call("victim", "work", Map.of("pidFile", pidFile.toString(), "holdMs", 5000), 10_000);
        Await.until("the held request runs", Duration.ofSeconds(10), () -> Files.exists(pidFile) && size(pidFile) > 0);
        long victim = Long.parseLong(Files.readString(pidFile).trim());
        Set<Long> before = new HashSet<>(pidsSeen);
        before.add(victim);
        long killed = System.nanoTime();
        new ProcessBuilder("kill", "-9", Long.toString(victim)).start().waitFor();
        CageException lost = ProcessKit.failureOf(held);
        assertEquals(ErrorCode.INTERNAL, lost.code());
        assertTrue(lost.getMessage().contains("(pid " + victim + ") exited with exit status 137 (signal 9) while serving 'work'"),
                lost.getMessage());
        Await.until("a replacement worker serves", Duration.ofSeconds(5),
                () -> firstSeenNanos.keySet().stream().anyMatch(pid -> !before.contains(pid) && firstSeenNanos.get(pid) > killed));
        long replacementMs = firstSeenNanos.entrySet().stream().filter(e -> !before.contains(e.getKey()) && e.getValue() > killed)
                .mapToLong(e -> (e.getValue() - killed) / 1_000_000).min().orElseThrow();
        System.out.printf("pool: kill -9 of worker %d; a replacement served %d ms later%n", victim, replacementMs);
        assertTrue(replacementMs < 1000, "replacement served after " + replacementMs + " ms");

        // The same for an idempotent operation: retried once on another worker, so the caller never sees it.
        Files.delete(pidFile);
        CompletableFuture<Reply> retried = kit.call("victim", "retry", Map.of("pidFile", pidFile.toString(), "holdMs", 300), 10_000);
        Await.until("the idempotent request runs", Duration.ofSeconds(10), () -> Files.exists(pidFile) && size(pidFile) > 0);
        long second = Long.parseLong(Files.readString(pidFile).trim());
        new ProcessBuilder("kill", "-9", Long.toString(second)).start().waitFor();
        long answeredBy = retried.get(10, TimeUnit.SECONDS).value().get("pid").asLong();
        assertTrue(answeredBy != second, "answered by another worker");

        stop.set(true);
        for (Thread t : load) {
            t.join();
        }
        assertEquals(List.of(), loadFailures, "no other request failed");
    }

    @Test
    void aThousandRequestsPastTheirDeadlineLeaveNoProcessBesideThePool() throws Exception {
        // A worker in sh that says ready and never answers, with a child in its group: each request hits its deadline,
        // its worker is killed with the group and replaced.
        String worker = """
                #!/bin/sh
                printf '\\000\\000\\000\\020{"type":"ready"}'
                sleep 7.456 &
                exec sleep 9.654
                """;
        kit.deployOk(ProcessKit.archive(ProcessKit.manifest("stuck", "1.0.0", List.of("sh", "worker.sh"), "pool", 16, "queue", 1000,
                "terminationTimeoutMs", 200), Map.of("worker.sh", worker)));
        long began = System.nanoTime();
        List<CompletableFuture<Integer>> clients = new ArrayList<>();
        var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
        for (int c = 0; c < 16; c++) {
            clients.add(CompletableFuture.supplyAsync(() -> {
                int deadlines = 0;
                for (int i = 0; i < 1000 / 16 + 1; i++) {
                    try {
                        if (ProcessKit.failureOf(kit.call("stuck", "wait", Map.of(), 100)).code() == ErrorCode.DEADLINE_EXCEEDED) {
                            deadlines++;
                        }
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }
                return deadlines;
            }, threads));
        }
        int deadlines = 0;
        for (CompletableFuture<Integer> client : clients) {
            deadlines += client.get(120, TimeUnit.SECONDS);
        }
        assertEquals(16 * (1000 / 16 + 1), deadlines);
        // Beside the pool (at most 16 workers, each with its one child) nothing of the cage is left.
        Await.until("only the pool's processes left", Duration.ofSeconds(20),
                () -> ProcessKit.processesWith("9.654").size() <= 16 && ProcessKit.processesWith("7.456").size() <= 16);
        int leaders = ProcessKit.processesWith("9.654").size();
        int children = ProcessKit.processesWith("7.456").size();
        System.out.printf("pool: %d requests past their 100 ms deadline in %d ms; left: %d workers and %d children (pool 16)%n",
                deadlines, (System.nanoTime() - began) / 1_000_000, leaders, children);
        assertEquals(DeployRecord.Outcome.UNDEPLOYED, kit.host.admin().undeploy("stuck", "test").outcome());
        Await.until("no process of the cage after undeploy", Duration.ofSeconds(10),
                () -> ProcessKit.processesWith("9.654").isEmpty() && ProcessKit.processesWith("7.456").isEmpty());
    }

    @Test
    void aWorkerCrashingAtStartFailsTheCageAfterMaxRestartsWithoutAStorm() throws Exception {
        Path marker = dir.resolve("crash-now");
        Path starts = dir.resolve("starts.txt");
        kit.deployOk(pool("crashy", "1.0.0", "pool", 2, "maxRestarts", 3, "restartWindowSeconds", 60,
                "env", Map.of("CRASH_IF", marker.toString(), "STARTS_FILE", starts.toString())));
        assertEquals(1, lines(starts), "one worker started");
        Files.writeString(marker, "x");
        CageException crashed = ProcessKit.failureOf(kit.call("crashy", "crash", Map.of(), 5000));
        assertTrue(crashed.getMessage().contains("exited with exit status 7 while serving 'crash'"), crashed.getMessage());
        Await.until("the cage is marked FAILED, in the list and the history", Duration.ofSeconds(10),
                () -> "FAILED".equals(cage("crashy").versions().get(0).state())
                        && kit.host.admin().history().stream().anyMatch(r -> "crashy".equals(r.cage()) && "FAIL".equals(r.action())));
        // 1 crash of the serving worker + 3 failed starts = 4 crashes > maxRestarts 3: the first start and 3 restarts.
        assertEquals(4, lines(starts), "starts");
        CageException refused = ProcessKit.failureOf(kit.call("crashy", "echo", Map.of(), 5000));
        assertEquals(ErrorCode.UNAVAILABLE, refused.code());
        assertTrue(refused.getMessage().contains("has failed: its workers crashed 4 times within 60 s (more than maxRestarts 3)"),
                refused.getMessage());
        assertEquals(4, lines(starts), "a failed cage starts nothing more");
        DeployRecord fail = kit.host.admin().history().stream().filter(r -> "crashy".equals(r.cage()) && "FAIL".equals(r.action()))
                .findFirst().orElseThrow();
        assertTrue(fail.reason().contains("refusing to start") || fail.reason().contains("exit status 3"), fail::toString);

        // A fixed version replaces it the usual way.
        Files.delete(marker);
        kit.deployOk(pool("crashy", "1.0.1", "pool", 2, "env", Map.of("STARTS_FILE", starts.toString())));
        assertEquals("1.0.1", cage("crashy").activeVersion());
        assertTrue(kit.callOk("crashy", "echo", Map.of()).get("pid").asLong() > 0);
    }

    @Test
    void aProgramThatCannotStartFailsTheDeployAndTheOldVersionServesOn() throws Exception {
        kit.deployOk(pool("steady", "1.0.0"));
        DeployRecord broken = kit.deploy(ProcessKit.archive(ProcessKit.manifest("steady", "2.0.0", List.of("python3", "-c", "import sys; sys.exit(5)")),
                Map.of()));
        assertEquals(DeployRecord.Outcome.FAILED, broken.outcome());
        assertTrue(broken.reason().contains("exited with exit status 5"), broken::toString);
        assertEquals("1.0.0", cage("steady").activeVersion());
        // A Java cage bundle with a cage.json resource of its own stays a bundle.
        byte[] bundle = TestCages.build("bundled", "1.0.0", CallerCage.class);
        java.io.ByteArrayOutputStream withJson = new java.io.ByteArrayOutputStream();
        try (var in = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(bundle));
             var out = new java.util.zip.ZipOutputStream(withJson)) {
            for (java.util.zip.ZipEntry e; (e = in.getNextEntry()) != null; ) {
                out.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                in.transferTo(out);
            }
            out.putNextEntry(new java.util.zip.ZipEntry("cage.json"));
            out.write("{\"not\": \"a process cage\"}".getBytes());
        }
        DeployRecord bundled = kit.deployOk(withJson.toByteArray());
        assertTrue(cage("bundled").versions().get(0).bundleId() > 0, "installed as a bundle: " + bundled);
        DeployRecord badManifest = kit.deploy(ProcessKit.archive(Map.of("name", "steady", "version", "3", "command", List.of("x"), "pol", 3), Map.of()));
        assertTrue(badManifest.reason().contains("cage.json: unknown key 'pol'"), badManifest::toString);
    }

    static CageInfo cage(String name) {
        return kit.host.admin().cages().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    static long size(Path file) {
        try {
            return Files.size(file);
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    static int lines(Path file) throws java.io.IOException {
        return Files.exists(file) ? Files.readAllLines(file).size() : 0;
    }
}
