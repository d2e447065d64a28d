package io.cages.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.cages.host.testing.TestCages;
import io.cages.testcages.caller.CallerCage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.cages.host.spi.Transport;
import io.cages.host.spi.TransportContext;
import io.cages.host.spi.Reply;
import io.cages.host.spi.RemoteCalls;
import io.cages.host.spi.RemoteReply;

/**
 * Calls by name to a cage on another host, answered on a transport's own thread (as the RPC router does,
 * from its I/O thread): a handler waiting in {@code call} gets the answer, and stages a cage attaches to
 * {@code callAsync} run on a virtual thread, never on the transport's thread, where blocking would stall I/O.
 */
class RemoteCallThreadsTest {

    private static final String IO_THREAD = "test-transport-io";

    @TempDir
    Path dir;
    private final ExecutorService io = Executors.newSingleThreadExecutor(r -> new Thread(r, IO_THREAD));
    /** Completed by the test when the remote answer may arrive. */
    private final CompletableFuture<Void> release = new CompletableFuture<>();
    private HostFixture fx;

    @BeforeEach
    void start() throws Exception {
        // Stands for the flock: "svc" runs on host h2 only; its answers come from the transport's thread.
        RemoteCalls remote = call -> release.thenApplyAsync(ignored -> new RemoteReply(
                new Reply(JsonNodeFactory.instance.objectNode().put("version", "2.0.0").put("op", call.operation()),
                        null, null, Map.of(), "2.0.0"), "h2"), io);
        Transport flock = new Transport() {
            @Override
            public String name() {
                return "test-remote";
            }

            @Override
            public void start(TransportContext context) {
                context.offerRemoteCalls(remote);
            }

            @Override
            public void stopAccepting() {
            }

            @Override
            public void close() {
            }
        };
        fx = new HostFixture(HostConfig.defaults().withName("h1").withWorkDir(dir.resolve("work"))
                .withCageConfigDir(dir.resolve("configs")).withResourcesFile(dir.resolve("no-resources.json")), List.of(flock));
        fx.deploy(TestCages.build("caller", "1.0.0", CallerCage.class));
    }

    @AfterEach
    void stop() {
        System.getProperties().remove(CallerCage.STAGE_ATTACHED);
        release.complete(null);
        fx.close();
        io.shutdownNow();
    }

    @Test
    void aHandlerWaitingInCallGetsTheRemoteAnswer() throws Exception {
        release.complete(null);
        JsonNode answer = fx.callOk("caller", "relay", Map.of("target", "svc", "op", "version")).value();
        assertEquals("2.0.0", answer.path("value").path("version").asText(), answer.toString());
        assertEquals("h2", answer.path("host").asText(), answer.toString());
    }

    @Test
    void stagesOfCallAsyncRunOnAVirtualThreadNeverOnTheTransportsThread() throws Exception {
        CountDownLatch attached = new CountDownLatch(1);
        System.getProperties().put(CallerCage.STAGE_ATTACHED, attached);
        CompletableFuture<Reply> call = fx.call("caller", "relay-async", Map.of("target", "svc", "op", "version"), null);
        // The answer arrives only once the cage's stage waits for it, so the stage runs where the answer lands.
        assertTrue(attached.await(10, TimeUnit.SECONDS), "the cage never attached its stage");
        release.complete(null);
        JsonNode seen = call.get(10, TimeUnit.SECONDS).value();
        assertEquals("2.0.0", seen.path("value").path("version").asText(), seen.toString());
        assertNotEquals(IO_THREAD, seen.path("thread").asText(), "the stage ran on the transport's thread: " + seen);
        assertTrue(seen.path("virtual").asBoolean(), "the stage ran on a platform thread: " + seen);
    }
}
