package io.cages.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.api.ErrorCode;
import io.cages.host.spi.Dispatcher;
import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.Reply;
import io.cages.host.testing.Probe;
import io.cages.host.testing.TestCages;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operations named in {@code Cage-Non-Blocking} run on the thread that dispatched them, and may not wait there;
 * every other operation, and every operation of a version without the header, runs on a virtual thread.
 */
class NonBlockingOperationsTest {

    // sleep is not non-blocking at all: declared here to see what the host does with an operation that breaks the promise.
    private static final String NON_BLOCKING = "thread, call-and-wait, use-db, sleep";

    @TempDir
    Path dir;
    HostFixture fx;

    @BeforeEach
    void start() throws Exception {
        Probe.reset();
        fx = new HostFixture(HostConfig.defaults().withWorkDir(dir.resolve("work")).withCageConfigDir(dir.resolve("configs")));
        assertTrue(fx.deploy(nonBlocking("fast", "1.0.0")).succeeded());
        assertTrue(fx.deploy(HostFixture.versionCage("plain", "1.0.0")).succeeded());
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    private static byte[] nonBlocking(String cage, String version) {
        return TestCages.withHeader(HostFixture.versionCage(cage, version), "Cage-Non-Blocking", NON_BLOCKING);
    }

    @Test
    void aNonBlockingOperationRunsOnTheDispatchingThreadAndOthersOnVirtualThreads() throws Exception {
        CompletableFuture<Reply> here = fx.call("fast", "thread", Map.of(), null);
        assertTrue(here.isDone(), "answered before dispatch returned: it ran on this thread");
        JsonNode ran = here.get().value();
        assertEquals(Thread.currentThread().getName(), ran.path("thread").asText());
        assertFalse(ran.path("virtual").asBoolean());

        assertTrue(fx.callOk("plain", "thread", Map.of()).value().path("virtual").asBoolean(), "a cage without the header");
        assertEquals("1.0.0", fx.version("fast"), "an operation not in the header, of the same cage, works as ever");
    }

    @Test
    void waitingInsideANonBlockingOperationIsRefusedWithAClearReason() throws Exception {
        String refused = fx.callOk("fast", "call-and-wait", Map.of("target", "plain")).value().path("refused").asText();
        assertTrue(refused.contains("cage 'fast' operation 'call-and-wait' is declared in Cage-Non-Blocking"), refused);
        assertTrue(refused.contains("call cage 'plain' and wait"), refused);
        assertEquals(0, Probe.get("plain.version"), "the refused call was never made");

        String database = fx.callOk("fast", "use-db", Map.of()).value().path("refused").asText();
        assertTrue(database.contains("may not use database 'orders'"), database);

        // The same code in a cage without the header may wait.
        JsonNode called = fx.callOk("plain", "call-and-wait", Map.of("target", "fast")).value();
        assertEquals("1.0.0", called.path("called").path("version").asText(), called.toString());
        assertEquals("1.0.0", fx.version("fast"), "the host keeps serving");
    }

    @Test
    void aSwapToAVersionWithoutTheHeaderMovesTheOperationToVirtualThreads() throws Exception {
        assertTrue(fx.deploy(HostFixture.versionCage("fast", "2.0.0")).succeeded());
        JsonNode ran = fx.callOk("fast", "thread", Map.of()).value();
        assertTrue(ran.path("virtual").asBoolean(), ran.toString());

        assertTrue(fx.deploy(nonBlocking("fast", "3.0.0")).succeeded());
        assertFalse(fx.callOk("fast", "thread", Map.of()).value().path("virtual").asBoolean());
    }

    @Test
    void aNonBlockingCalleeNestedInAHandlerLeavesItsCallersRequestInPlace() throws Exception {
        // plain (on a virtual thread) calls fast twice by name; fast runs nested on plain's thread. The second
        // call still carries plain's trace, so fast put plain's request back when it returned.
        Dispatcher d = fx.host.dispatcher();
        Reply reply = d.dispatch(new InboundRequest(d.newRequestId(), "plain", "relay-twice", Map.of("target", "fast"), null, null,
                Map.of("trace.id", "trace-7"), "test", Deadline.afterMillis(5_000))).get(10, TimeUnit.SECONDS);
        JsonNode answer = reply.value();
        assertEquals("trace-7", answer.path("first").asText(), answer.toString());
        assertEquals("trace-7", answer.path("second").asText(), answer.toString());
    }

    @Test
    void aNonBlockingOperationPastItsDeadlineIsNotExecuted() throws Exception {
        long before = fx.host.executedRequests();
        CompletableFuture<Reply> late = fx.call("fast", "thread", Map.of(), Deadline.afterMillis(-1));
        assertEquals(ErrorCode.DEADLINE_EXCEEDED, HostFixture.failureOf(late).code());
        assertEquals(before, fx.host.executedRequests());
    }

    @Test
    void aNonBlockingOperationThatRunsPastItsDeadlineIsAnsweredDeadlineExceededButNeverInterrupted() throws Exception {
        CompletableFuture<Reply> slow = fx.call("fast", "sleep", Map.of("ms", "300"), Deadline.afterMillis(100));
        CageException late = HostFixture.failureOf(slow);
        assertEquals(ErrorCode.DEADLINE_EXCEEDED, late.code());
        assertTrue(late.getMessage().contains("did not answer 'sleep' within its deadline of 100 ms"), late.getMessage());
        assertEquals(1, Probe.get("fast.sleep.done"), "it ran to its end on the caller's thread: nothing interrupted it");
        assertEquals("1.0.0", fx.version("fast"), "the host keeps serving");
    }
}
