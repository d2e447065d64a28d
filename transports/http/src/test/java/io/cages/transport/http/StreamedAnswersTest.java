package io.cages.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.admin.CageInfo;
import io.cages.host.admin.DeployRecord;
import io.cages.host.testing.Await;
import io.cages.host.testing.TestCages;
import io.cages.transport.http.streamcage.StreamCage;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streamed answers over real sockets in a real host: backpressure against a slow client, a disconnect stops
 * the producer, the deadline ends a stream, a producer that fails cuts it, and a live swap drains it. The
 * producer's side is read through the cage's own {@code progress} operation.
 */
class StreamedAnswersTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    /**
     * How far the producer may run ahead of what the client read: the transport's high-water mark and one
     * chunk (320 KiB), the host's gathering buffer (16 KiB), the client's receive buffer (64 KiB) and the
     * server's kernel send buffer (fixed at 1 MiB for a streaming connection, which the kernel doubles).
     */
    private static final long AHEAD_BOUND = 4L << 20;

    @TempDir
    static Path dir;

    private static Host host;
    private static HttpTestClient http;
    private static int port;

    @BeforeAll
    static void startHost() throws Exception {
        HostConfig config = HostConfig.defaults()
                .withWorkDir(dir.resolve("work"))
                .withCageConfigDir(dir.resolve("configs"))
                .withHttp(HostConfig.Http.ephemeral());
        host = Host.start(config, List.of(new HttpTransport()));
        port = host.transport(HttpTransport.class).orElseThrow().port();
        http = HttpTestClient.local(port);
        DeployRecord deployed = host.admin().deploy(TestCages.build("stream", "1.0.0", StreamCage.class), "test");
        assertEquals(DeployRecord.Outcome.ACTIVE, deployed.outcome(), deployed::toString);
    }

    @AfterAll
    static void stopHost() {
        if (http != null) {
            http.close();
        }
        if (host != null) {
            host.close();
        }
    }

    private static JsonNode progress(String run) {
        HttpTestClient.Response response = http.get("/stream/progress?run=" + run);
        assertEquals(200, response.status(), response::toString);
        return response.json();
    }

    private static long written(String run) {
        return progress(run).get("written").asLong();
    }

    private static String state(String run) {
        return progress(run).get("state").asText();
    }

    static long expectedCrc(long bytes) {
        CRC32 crc = new CRC32();
        byte[] block = StreamCage.newBlock();
        long left = bytes;
        for (long index = 0; left > 0; index++) {
            StreamCage.fill(block, index);
            int n = (int) Math.min(block.length, left);
            crc.update(block, 0, n);
            left -= n;
        }
        return crc.getValue();
    }

    private static int running() {
        return host.admin().cages().stream().filter(c -> c.name().equals("stream")).mapToInt(CageInfo::running).sum();
    }

    /**
     * Waits until the producer stopped advancing (it blocks on backpressure) and returns how far it got; every
     * look on the way must stay within the bound of what the client read.
     */
    private static long awaitProducerBlocked(String run, long clientRead) {
        long[] last = {-1};
        int[] stable = {0};
        Await.until("the producer of " + run + " blocks", WAIT, () -> {
            long now = written(run);
            assertTrue(now - clientRead < AHEAD_BOUND, "the producer ran " + (now - clientRead) + " bytes ahead of the client");
            stable[0] = now == last[0] ? stable[0] + 1 : 0;
            last[0] = now;
            return stable[0] >= 20; // unchanged over 20 looks, each a request to the cage: it is blocked
        });
        return last[0];
    }

    @Test
    void aSlowClientDoesNotMakeTheHostBuffer() throws Exception {
        long total = 64L << 20;
        try (StreamClient client = StreamClient.get(port, "/stream/pattern?run=slow&bytes=" + total)) {
            assertEquals(200, client.status);
            assertEquals("chunked", client.headers.get("transfer-encoding"));
            assertEquals("application/octet-stream", client.headers.get("content-type"));
            assertEquals("1.0.0", client.headers.get("x-cage-version"));
            long read = client.read(8 * 1024);
            long ahead = awaitProducerBlocked("slow", read) - read;
            System.out.printf("slow client: read %d bytes, the producer blocked %d bytes ahead%n", read, ahead);
            assertEquals("running", state("slow"));
            read += client.read(2L << 20);
            ahead = awaitProducerBlocked("slow", read) - read;
            System.out.printf("slow client: read %d bytes, the producer blocked %d bytes ahead%n", read, ahead);
            read += client.readToEnd();
            assertEquals(total, read);
            assertEquals(expectedCrc(total), client.crc.getValue(), "the body's checksum");
        }
        Await.until("the producer ended", WAIT, () -> state("slow").equals("ended"));
        Await.until("the request left", WAIT, () -> running() == 0);
    }

    @Test
    void aClientThatDisconnectsStopsTheProducer() throws Exception {
        try (StreamClient client = StreamClient.get(port, "/stream/pattern?run=gone&bytes=" + (1L << 30))) {
            assertEquals(200, client.status);
            client.read(100 * 1024);
        }
        Await.until("the producer saw its write fail", WAIT, () -> state("gone").equals("failed"));
        JsonNode progress = progress("gone");
        assertTrue(progress.get("error").asText().contains("disconnected"), progress::toString);
        assertTrue(progress.get("written").asLong() < 64L << 20, progress::toString);
        Await.until("the request left", WAIT, () -> running() == 0);
        HttpTestClient.Response next = http.get("/stream/pattern?run=after&bytes=1000");
        assertEquals(200, next.status(), next::toString);
        assertEquals(1000, next.body().length);
    }

    @Test
    void theDeadlineEndsAStreamThatIsTooSlow() throws Exception {
        long started = System.nanoTime();
        try (StreamClient client = StreamClient.get(port, "/stream/trickle?run=slowpoke&pauseMs=20", "X-Cage-Timeout-Ms: 400")) {
            assertEquals(200, client.status);
            EOFException cut = assertThrows(EOFException.class, client::readToEnd);
            assertTrue(client.bodyRead > 0, "some lines arrived before the deadline");
            assertTrue(cut.getMessage().contains("cut") || cut.getMessage().contains("ended"), cut::toString);
        }
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertTrue(tookMs < 5_000, "the stream ended " + tookMs + " ms after it began; its deadline was 400 ms");
        Await.until("the producer ended", WAIT, () -> state("slowpoke").equals("failed"));
        assertTrue(progress("slowpoke").get("error").asText().contains("deadline"), () -> progress("slowpoke").toString());
        Await.until("the request left", WAIT, () -> running() == 0);
    }

    @Test
    void theDeadlineBeforeTheFirstByteIsAnOrdinary504() throws Exception {
        try (StreamClient client = StreamClient.get(port, "/stream/trickle?run=late&pauseMs=20&delayMs=10000", "X-Cage-Timeout-Ms: 300")) {
            assertEquals(504, client.status);
            String body = client.rest();
            assertTrue(body.contains("\"deadline_exceeded\"") && body.contains("did not finish streaming 'trickle' within its deadline of 300 ms"), body);
        }
        Await.until("the producer ended", WAIT, () -> state("late").equals("failed"));
        Await.until("the request left", WAIT, () -> running() == 0);
    }

    @Test
    void aProducerThatFailsAfterTheFirstBytesCutsTheResponse() throws Exception {
        try (StreamClient client = StreamClient.get(port, "/stream/pattern?run=broken&bytes=" + (8L << 20) + "&failAfter=" + (1L << 20))) {
            assertEquals(200, client.status);
            assertThrows(EOFException.class, client::readToEnd);
            assertTrue(client.bodyRead >= 1L << 20, "read " + client.bodyRead);
        }
        HttpTestClient.Response next = http.get("/stream/pattern?run=fine&bytes=10");
        assertEquals(200, next.status(), next::toString);
    }

    @Test
    void aProducerThatFailsBeforeWritingGetsAnErrorResponse() {
        HttpTestClient.Response response = http.get("/stream/pattern?run=early&bytes=100&failAfter=0");
        assertEquals(500, response.status(), response::toString);
        assertEquals("internal", response.json().get("error").asText());
        assertEquals(response.header("x-request-id").orElseThrow(), response.json().get("requestId").asText());
    }

    @Test
    void pipelinedRequestsAfterAStreamWaitForIt() throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(20_000);
            String two = "GET /stream/pattern?run=first&bytes=300000 HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /stream/pattern?run=second&bytes=1000 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(two.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            byte[] all = socket.getInputStream().readAllBytes();
            String text = new String(all, java.nio.charset.StandardCharsets.ISO_8859_1);
            int second = text.indexOf("HTTP/1.1 200", 10);
            assertTrue(second > 300000, "the second response follows the whole stream");
            assertTrue(text.substring(0, second).endsWith("0\r\n\r\n"), "the stream ends with its final chunk");
            assertTrue(text.substring(second).contains("\r\nconnection: close\r\n"), text.substring(0, 200));
            assertTrue(text.endsWith("0\r\n\r\n"), "the second stream is complete too");
        }
    }

    @Test
    void anHttp10ClientGetsTheBodyUnframedAndTheConnectionClosesAtItsEnd() throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write("GET /stream/pattern?run=old&bytes=200000 HTTP/1.0\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            byte[] all = socket.getInputStream().readAllBytes(); // ends when the server closes
            String text = new String(all, java.nio.charset.StandardCharsets.ISO_8859_1);
            int bodyStart = text.indexOf("\r\n\r\n") + 4;
            String head = text.substring(0, bodyStart).toLowerCase(java.util.Locale.ROOT);
            assertTrue(head.startsWith("http/1.1 200"), head);
            assertFalse(head.contains("transfer-encoding"), head);
            assertTrue(head.contains("connection: close"), head);
            assertEquals(200000, all.length - bodyStart);
            CRC32 crc = new CRC32();
            crc.update(all, bodyStart, all.length - bodyStart);
            assertEquals(expectedCrc(200000), crc.getValue());
        }
    }

    @Test
    void aLiveSwapWaitsForAStream() throws Exception {
        byte[] v1 = TestCages.build("swapped", "1.0.0", StreamCage.class);
        assertEquals(DeployRecord.Outcome.ACTIVE, host.admin().deploy(v1, "test").outcome());
        long total = 32L << 20;
        try (StreamClient client = StreamClient.get(port, "/swapped/pattern?run=swap&bytes=" + total)) {
            assertEquals("1.0.0", client.headers.get("x-cage-version"));
            long read = client.read(8 * 1024);
            DeployRecord v2 = host.admin().deploy(TestCages.withHeader(v1, "Bundle-Version", "2.0.0"), "test");
            assertEquals(DeployRecord.Outcome.ACTIVE, v2.outcome(), v2::toString);
            HttpTestClient.Response after = http.get("/swapped/pattern?run=new&bytes=10");
            assertEquals("2.0.0", after.header("x-cage-version").orElseThrow());
            CageInfo info = host.admin().cages().stream().filter(c -> c.name().equals("swapped")).findFirst().orElseThrow();
            CageInfo.VersionInfo old = info.versions().stream().filter(v -> v.version().equals("1.0.0")).findFirst()
                    .orElseThrow(() -> new AssertionError("1.0.0 is gone while its stream runs: " + info));
            assertEquals("DRAINING", old.state(), info::toString);
            assertEquals(1, old.inFlight(), info::toString);
            read += client.readToEnd();
            assertEquals(total, read);
            assertEquals(expectedCrc(total), client.crc.getValue());
        }
        assertTrue(host.awaitRetirements(WAIT), "1.0.0 retired once its stream ended");
        CageInfo info = host.admin().cages().stream().filter(c -> c.name().equals("swapped")).findFirst().orElseThrow();
        assertEquals(List.of("2.0.0"), info.versions().stream().map(CageInfo.VersionInfo::version).toList());
        assertFalse(info.versions().isEmpty());
    }
}
