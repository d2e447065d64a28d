package io.cages.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.api.ErrorCode;
import io.cages.host.admin.CageInfo;
import io.cages.host.spi.Reply;
import io.cages.host.testing.Await;
import io.cages.host.testing.Probe;
import io.cages.host.testing.TestCages;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streamed answers in the host, without a transport that streams: collected into bytes within a limit, refused
 * past it with the way out, collected for calls by name, and ended by the deadline when nobody takes them.
 */
class StreamedReplyTest {

    @TempDir
    Path dir;
    HostFixture fx;

    @BeforeEach
    void start() throws Exception {
        Probe.reset();
        System.getProperties().remove("cages.test.stream.error");
        fx = new HostFixture(dir);
        assertTrue(fx.deploy(HostFixture.versionCage("s", "1.0.0")).succeeded());
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    private int running() {
        return fx.host.admin().cages().stream().filter(c -> c.name().equals("s")).mapToInt(CageInfo::running).sum();
    }

    @Test
    void aStreamIsCollectedWithinTheLimit() throws Exception {
        Reply reply = fx.callOk("s", "stream", Map.of("bytes", "5000"));
        assertTrue(reply.isStream(), reply::toString);
        assertEquals("application/x-test", reply.contentType());
        Reply collected = reply.collected(1 << 20, "test limit").get(10, TimeUnit.SECONDS);
        assertFalse(collected.isStream());
        assertEquals(5000, collected.body().length);
        assertEquals("application/x-test", collected.contentType());
        assertEquals("1.0.0", collected.version());
        Await.until("the request left", Duration.ofSeconds(10), () -> running() == 0);
        assertEquals(1, Probe.get("s.stream.ended"));
    }

    @Test
    void aStreamOverTheLimitFailsWithTheWayOutAndStopsTheProducer() throws Exception {
        Reply reply = fx.callOk("s", "stream", Map.of("bytes", "100000"));
        CompletableFuture<Reply> collected = reply.collected(4096, "test limit");
        ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> collected.get(10, TimeUnit.SECONDS));
        CageException cause = (CageException) failed.getCause();
        assertEquals(ErrorCode.BAD_REQUEST, cause.code());
        assertEquals("stream larger than the test limit of 4096 bytes; call it over HTTP", cause.getMessage());
        Await.until("the producer saw its write fail", Duration.ofSeconds(10), () -> Probe.get("s.stream.ioerror") == 1);
        assertEquals(cause.getMessage(), System.getProperty("cages.test.stream.error"));
        Await.until("the request left", Duration.ofSeconds(10), () -> running() == 0);
    }

    @Test
    void aCallByNameGetsTheStreamAsBytes() throws Exception {
        assertTrue(fx.deploy(HostFixture.versionCage("caller", "1.0.0")).succeeded());
        Reply reply = fx.callOk("caller", "call-stream", Map.of("target", "s", "bytes", "70000"));
        assertEquals(70000, reply.value().get("length").asInt(), reply.value()::toString);
        assertEquals("application/x-test", reply.value().get("contentType").asText());
    }

    @Test
    void aStreamNobodyTakesEndsAtItsDeadline() throws Exception {
        Reply reply = fx.call("s", "stream", Map.of("bytes", "10"), Deadline.afterMillis(300)).get(10, TimeUnit.SECONDS);
        assertTrue(reply.isStream());
        assertEquals(1, running(), "the producer waits for a transport, holding its request in flight");
        Await.until("the deadline ended the stream", Duration.ofSeconds(10), () -> running() == 0);
        assertEquals(0, Probe.get("s.stream.ended"), "the producer never ran");
        // Opened late: the transport hears at once that the stream failed.
        CompletableFuture<Reply> late = reply.collected(1000, "test limit");
        ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> late.get(10, TimeUnit.SECONDS));
        assertEquals(ErrorCode.DEADLINE_EXCEEDED, ((CageException) failed.getCause()).code(), failed.getCause()::toString);
    }

    @Test
    void aNonBlockingOperationCannotStream() throws Exception {
        assertTrue(fx.deploy(TestCages.withHeader(HostFixture.versionCage("nb", "1.0.0"), "Cage-Non-Blocking", "stream")).succeeded());
        CageException failure = HostFixture.failureOf(fx.call("nb", "stream", Map.of("bytes", "10"), null));
        assertEquals(ErrorCode.INTERNAL, failure.code(), failure::toString);
    }
}
