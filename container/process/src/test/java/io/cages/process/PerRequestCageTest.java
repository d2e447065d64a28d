package io.cages.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cages.api.CageException;
import io.cages.api.ErrorCode;
import io.cages.host.admin.DeployRecord;
import io.cages.host.spi.Reply;
import io.cages.host.testing.Await;
import io.cages.host.testing.TestCages;
import io.cages.testcages.caller.CallerCage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mode per-request with real sh and python3 processes, over HTTP and by name from a Java cage. */
class PerRequestCageTest {

    @TempDir
    static Path dir;
    static ProcessKit kit;

    /** Answers the envelope it got as its value: what the program sees. */
    static final String ECHO_SH = "#!/bin/sh\nenvelope=$(cat)\necho \"echo got $(printf %s \"$envelope\" | wc -c) bytes\" >&2\nprintf '{\"value\":%s}' \"$envelope\"\n";

    @BeforeAll
    static void start() throws Exception {
        kit = new ProcessKit(dir);
        kit.deployOk(ProcessKit.archive(ProcessKit.manifest("shecho", "1.0.0", List.of("sh", "echo.sh"), "mode", "per-request",
                "selfTest", Map.of("operation", "ping")), Map.of("echo.sh", ECHO_SH)));
        kit.deployOk(TestCages.build("caller", "1.0.0", CallerCage.class));
    }

    @AfterAll
    static void stop() {
        if (kit != null) {
            kit.close();
        }
    }

    @Test
    void paramsBodyCallerAndDeadlineArriveOverHttp() throws Exception {
        ProcessKit.HttpAnswer answer = kit.post("/shecho/greet?name=Ada", "hello body", "text/plain", "X-Cage-Timeout-Ms", "4000");
        assertEquals(200, answer.status(), answer::toString);
        JsonNode envelope = answer.json();
        assertEquals("shecho", envelope.get("cage").asText());
        assertEquals("greet", envelope.get("operation").asText());
        assertEquals("Ada", envelope.get("params").get("name").asText());
        assertEquals("hello body", new String(Base64.getDecoder().decode(envelope.get("body").asText())));
        assertEquals("text/plain", envelope.get("contentType").asText());
        assertTrue(envelope.get("caller").asText().startsWith("http:"), envelope::toString);
        long deadline = envelope.get("deadlineMs").asLong();
        assertTrue(deadline > 3000 && deadline <= 4000, "remaining ms as the process started: " + deadline);
        assertTrue(!envelope.get("id").asText().isEmpty());
    }

    @Test
    void aJavaCageCallsItByName() throws Exception {
        JsonNode relayed = kit.callOk("caller", "relay", Map.of("target", "shecho", "op", "lookup", "sku", "bolt"));
        JsonNode envelope = relayed.get("value");
        assertEquals("lookup", envelope.get("operation").asText());
        assertEquals("bolt", envelope.get("params").get("sku").asText());
        assertEquals("caller", envelope.get("caller").asText());
        assertEquals("1.0.0", relayed.get("version").asText());
    }

    @Test
    void aPythonProgramAnswersThroughTheWorkerLibrary() throws Exception {
        String wordcount = """
                import cages_worker
                def count(params, request):
                    text = cages_worker.body_of(request).decode() or params.get("text", "")
                    if not text:
                        raise cages_worker.CageError("bad_request", "nothing to count: give 'text' or a body")
                    return {"words": len(text.split()), "lines": len(text.splitlines())}
                cages_worker.serve_once({"count": count})
                """;
        kit.deployOk(ProcessKit.archive(ProcessKit.manifest("pywc", "1.0", List.of("python3", "wc.py"), "mode", "per-request",
                "selfTest", Map.of("operation", "count", "params", Map.of("text", "a b"))), Map.of("wc.py", wordcount)));
        ProcessKit.HttpAnswer answer = kit.post("/pywc/count", "one two three\nfour", "text/plain");
        assertEquals(200, answer.status(), answer::toString);
        assertEquals(4, answer.json().get("words").asInt());
        assertEquals(2, answer.json().get("lines").asInt());
        ProcessKit.HttpAnswer empty = kit.get("/pywc/count");
        assertEquals(400, empty.status(), empty::toString);
        assertEquals("nothing to count: give 'text' or a body", empty.json().get("message").asText());
        ProcessKit.HttpAnswer unknown = kit.get("/pywc/nope");
        assertEquals(404, unknown.status(), unknown::toString);
    }

    @Test
    void errorsAreTypedAndClear() throws Exception {
        kit.deployOk(ProcessKit.archive(ProcessKit.manifest("shfail", "1.0.0", List.of("sh", "fail.sh"), "mode", "per-request"),
                Map.of("fail.sh", """
                        #!/bin/sh
                        case "$(cat)" in
                          *'"operation":"refuse"'*) printf '{"error":{"code":"bad_request","message":"no such sku: gear"}}'; exit 1 ;;
                          *'"operation":"flood"'*) head -c 104857600 /dev/zero; exit 0 ;;
                          *'"operation":"silent"'*) exit 0 ;;
                          *'"operation":"garbage"'*) echo 'not json at all'; exit 0 ;;
                          *) echo 'it went wrong' >&2; exit 3 ;;
                        esac
                        """)));
        CageException crashed = ProcessKit.failureOf(kit.call("shfail", "crash", Map.of(), 5000));
        assertEquals(ErrorCode.INTERNAL, crashed.code());
        assertTrue(crashed.getMessage().contains("exited with exit status 3 serving 'crash'"), crashed.getMessage());

        CageException refused = ProcessKit.failureOf(kit.call("shfail", "refuse", Map.of(), 5000));
        assertEquals(ErrorCode.BAD_REQUEST, refused.code());
        assertEquals("no such sku: gear", refused.getMessage());

        CageException flood = ProcessKit.failureOf(kit.call("shfail", "flood", Map.of(), 10_000));
        assertEquals(ErrorCode.INTERNAL, flood.code());
        assertTrue(flood.getMessage().contains("wrote more than its stdout limit of 16777216 bytes; it was killed"), flood.getMessage());

        CageException silent = ProcessKit.failureOf(kit.call("shfail", "silent", Map.of(), 5000));
        assertTrue(silent.getMessage().contains("exited with status 0 but wrote no answer to stdout"), silent.getMessage());

        CageException garbage = ProcessKit.failureOf(kit.call("shfail", "garbage", Map.of(), 5000));
        assertTrue(garbage.getMessage().contains("answered something that is not JSON: 'not json at all?'"), garbage.getMessage());

        ProcessKit.HttpAnswer overHttp = kit.get("/shfail/crash");
        assertEquals(500, overHttp.status());
        assertEquals("internal", overHttp.json().get("error").asText());
    }

    @Test
    void aThousandRequestsPastTheirDeadlineLeaveNoProcessBehind() throws Exception {
        // The program leaves a background child in its group: killing only the leader would orphan it.
        Path started = dir.resolve("slow-started.txt");
        kit.deployOk(ProcessKit.archive(ProcessKit.manifest("shslow", "1.0.0", List.of("sh", "slow.sh"),
                "mode", "per-request", "pool", 32, "queue", 1000, "terminationTimeoutMs", 200,
                "env", Map.of("STARTED", started.toString())), Map.of("slow.sh", """
                #!/bin/sh
                echo x >> "$STARTED"
                sleep 7.123 &
                sleep 9.321
                """)));
        long began = System.nanoTime();
        // 25 clients, each one request at a time, so every request gets a process of its own that hits its deadline.
        List<CompletableFuture<Integer>> clients = new ArrayList<>();
        for (int c = 0; c < 25; c++) {
            clients.add(CompletableFuture.supplyAsync(() -> {
                int deadlines = 0;
                for (int i = 0; i < 40; i++) {
                    try {
                        CageException e = ProcessKit.failureOf(kit.call("shslow", "wait", Map.of(), 150));
                        if (e.code() == ErrorCode.DEADLINE_EXCEEDED) {
                            deadlines++;
                        }
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }
                return deadlines;
            }, java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()));
        }
        int deadlines = 0;
        for (CompletableFuture<Integer> client : clients) {
            deadlines += client.get(120, java.util.concurrent.TimeUnit.SECONDS);
        }
        assertEquals(1000, deadlines);
        Await.until("every process of the cage gone", Duration.ofSeconds(20),
                () -> ProcessKit.processesWith("7.123").isEmpty() && ProcessKit.processesWith("9.321").isEmpty());
        int processes = java.nio.file.Files.readAllLines(started).size();
        System.out.printf("per-request: 1000 requests past their 150 ms deadline (%d processes started) in %d ms; processes left: %d%n",
                processes, (System.nanoTime() - began) / 1_000_000,
                ProcessKit.processesWith("7.123").size() + ProcessKit.processesWith("9.321").size());
        // Every request got a process of its own (25 clients, 32 allowed); on a loaded machine some are killed at their
        // deadline before their first line ran, so the count the script keeps is at most 1000.
        assertTrue(processes > 0 && processes <= 1000, "processes that ran their first line: " + processes);
    }
}
