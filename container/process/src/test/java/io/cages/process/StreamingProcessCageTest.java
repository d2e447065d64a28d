package io.cages.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.api.CageException;
import io.cages.api.ErrorCode;
import io.cages.host.admin.DeployRecord;
import io.cages.host.spi.Reply;
import io.cages.host.testing.Await;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-request sh processes whose stdout is the answer, streamed ({@code "streams"} in cage.json). */
class StreamingProcessCageTest {

    /** Picks what to do by the operation in the envelope on stdin; only {@code plain} answers an envelope. */
    static final String STREAM_SH = """
            #!/bin/sh
            envelope=$(cat)
            case "$envelope" in
              *'"operation":"numbers"'*) seq 1 200000 ;;
              *'"operation":"zeros"'*) head -c 5000000 /dev/zero ;;
              *'"operation":"forever"'*) while :; do echo tick; sleep 0.02; done ;;
              *'"operation":"crash"'*) seq 1 100000; exit 3 ;;
              *'"operation":"early"'*) echo 'nothing to say' >&2; exit 4 ;;
              *) printf '{"value":{"plain":true}}' ;;
            esac
            """;

    @TempDir
    static Path dir;
    static ProcessKit kit;

    @BeforeAll
    static void start() throws Exception {
        kit = new ProcessKit(dir);
        kit.deployOk(ProcessKit.archive(ProcessKit.manifest("shstream", "1.0.0", List.of("sh", "shstream.sh"), "mode", "per-request",
                "maxStdoutBytes", 4096, "terminationTimeoutMs", 500,
                "streams", Map.of("numbers", "text/plain", "zeros", "application/octet-stream", "forever", "text/plain",
                        "crash", "text/plain", "early", "text/plain")), Map.of("shstream.sh", STREAM_SH)));
    }

    @AfterAll
    static void stop() {
        if (kit != null) {
            kit.close();
        }
    }

    @Test
    void stdoutIsTheBodyStreamedOverHttp() throws Exception {
        ProcessKit.HttpAnswer numbers = kit.get("/shstream/numbers");
        assertEquals(200, numbers.status(), numbers::toString);
        String expected = IntStream.rangeClosed(1, 200000).mapToObj(Integer::toString).collect(Collectors.joining("\n", "", "\n"));
        assertEquals(expected.length(), numbers.body().length(), "seq's output, over the stdout limit of 4096 bytes");
        assertEquals(expected, numbers.body());
        ProcessKit.HttpAnswer plain = kit.get("/shstream/other");
        assertEquals(200, plain.status());
        assertEquals("{\"plain\":true}", plain.body(), "operations not listed in 'streams' answer envelopes as before");
    }

    @Test
    void aCallInProcessCollectsTheStream() throws Exception {
        Reply reply = kit.call("shstream", "zeros", Map.of(), 10_000).get(15, TimeUnit.SECONDS);
        assertTrue(reply.isStream());
        assertEquals("application/octet-stream", reply.contentType());
        Reply collected = reply.collected(8 << 20, "test limit").get(15, TimeUnit.SECONDS);
        assertEquals(5_000_000, collected.body().length);
    }

    @Test
    void theDeadlineEndsTheStreamAndTheProcessGroup() throws Exception {
        long started = System.nanoTime();
        assertThrows(IOException.class, () -> kit.getWithHeader("/shstream/forever", "X-Cage-Timeout-Ms", "500"),
                "the body is cut: no final chunk");
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertTrue(tookMs < 5_000, "the stream ended " + tookMs + " ms after it began; its deadline was 500 ms");
        Await.until("no shstream process is left", Duration.ofSeconds(10), () -> ProcessKit.processesWith("shstream.sh").isEmpty());
    }

    @Test
    void aNonZeroExitCutsTheStreamOrIsAnErrorBeforeAnyByte() throws Exception {
        assertThrows(IOException.class, () -> kit.get("/shstream/crash"), "the body is cut: no final chunk");
        ProcessKit.HttpAnswer early = kit.get("/shstream/early");
        assertEquals(500, early.status(), early::toString);
        assertTrue(early.json().get("message").asText().contains("exit status 4"), early::toString);
        CageException viaCall = ProcessKit.failureOf(kit.call("shstream", "early", Map.of(), 5000)
                .thenCompose(reply -> reply.collected(1 << 20, "test limit")));
        assertEquals(ErrorCode.INTERNAL, viaCall.code());
        assertTrue(viaCall.getMessage().contains("exit status 4"), viaCall::getMessage);
    }

    @Test
    void streamsAreCheckedInTheManifest() {
        DeployRecord pool = kit.deploy(ProcessKit.archive(ProcessKit.manifest("poolstream", "1.0.0", List.of("sh", "x.sh"),
                "streams", Map.of("export", "text/csv")), Map.of("x.sh", "exit 0")));
        assertFalse(pool.succeeded());
        assertTrue(pool.reason().contains("'streams' needs \"mode\": \"per-request\""), pool::toString);
        DeployRecord shape = kit.deploy(ProcessKit.archive(ProcessKit.manifest("badstream", "1.0.0", List.of("sh", "x.sh"),
                "mode", "per-request", "streams", List.of("export")), Map.of("x.sh", "exit 0")));
        assertFalse(shape.succeeded());
        assertTrue(shape.reason().contains("'streams' must map operation names to content types"), shape::toString);
    }
}
