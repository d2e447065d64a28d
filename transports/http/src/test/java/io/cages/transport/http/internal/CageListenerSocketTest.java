package io.cages.transport.http.internal;

import static io.cages.transport.http.internal.EmbeddedHttp.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.host.HostConfig;
import io.cages.host.spi.Reply;
import java.io.IOException;
import java.net.ConnectException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The cage listener over real sockets, with replies completing on virtual threads as the host's do: the
 * hop back to the event loop, keep-alive, pipelining, idle timeout and stopAccepting.
 */
class CageListenerSocketTest {

    private final FakeDispatcher dispatcher = new FakeDispatcher();
    private HttpServer server;

    private HttpServer start(HostConfig.Http settings) throws IOException {
        server = new HttpServer(settings, dispatcher, new FakeAdmin());
        server.start();
        return server;
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Completes on a virtual thread, like a handler's reply. */
    private static CompletableFuture<Reply> later(String json) {
        CompletableFuture<Reply> future = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> future.complete(FakeDispatcher.json(json)));
        return future;
    }

    @Test
    void keepAliveServesManyRequestsOnOneConnection() throws Exception {
        start(HostConfig.Http.ephemeral());
        dispatcher.behaviour = in -> later("{\"op\":\"" + in.operation() + "\"}");
        try (RawClient client = new RawClient(server.port())) {
            for (int i = 0; i < 20; i++) {
                client.send(request("GET", "/a/op" + i, null, null));
                RawResponse response = client.readOne();
                assertEquals(200, response.status());
                assertEquals("op" + i, response.json().get("op").asText());
                assertNull(response.header("connection"));
            }
        }
    }

    @Test
    void pipelinedRequestsAnswerInOrderWhateverOrderTheyComplete() throws Exception {
        start(HostConfig.Http.ephemeral());
        CountDownLatch othersDone = new CountDownLatch(2);
        dispatcher.behaviour = in -> {
            if (in.operation().equals("slow")) {
                CompletableFuture<Reply> future = new CompletableFuture<>();
                Thread.ofVirtual().start(() -> {
                    try {
                        if (othersDone.await(10, TimeUnit.SECONDS)) {
                            future.complete(FakeDispatcher.json("\"slow\""));
                        } else {
                            future.completeExceptionally(new IllegalStateException("others never finished"));
                        }
                    } catch (InterruptedException e) {
                        future.completeExceptionally(e);
                    }
                });
                return future;
            }
            return later("\"" + in.operation() + "\"").whenComplete((r, e) -> othersDone.countDown());
        };
        try (RawClient client = new RawClient(server.port())) {
            client.send(request("GET", "/a/slow", null, null) + request("GET", "/a/fast1", null, null) + request("GET", "/a/fast2", null, null));
            List<RawResponse> responses = client.read(3);
            assertEquals(List.of("\"slow\"", "\"fast1\"", "\"fast2\""), responses.stream().map(RawResponse::text).toList());
        }
    }

    @Test
    void malformedBytesGet400AndTheServerGoesOn() throws Exception {
        start(HostConfig.Http.ephemeral());
        try (RawClient client = new RawClient(server.port())) {
            client.send("\u0001\u0002 NOT HTTP AT ALL\r\n\r\n");
            RawResponse response = client.readOne();
            assertEquals(400, response.status());
            assertTrue(client.closedByServer());
        }
        try (RawClient client = new RawClient(server.port())) {
            client.send(request("GET", "/a/b", null, null));
            assertEquals(200, client.readOne().status());
        }
    }

    @Test
    void anUnsupportedVersionGets505OverTheWireThenTheServerGoesOn() throws Exception {
        start(HostConfig.Http.ephemeral());
        try (RawClient client = new RawClient(server.port())) {
            client.send("GET /hello/greet HTTP/9.9\r\nHost: t\r\n\r\n");
            RawResponse response = client.readOne();
            assertEquals(505, response.status(), response::toString);
            assertTrue(response.statusLine().startsWith("HTTP/1.1 505 "), response.statusLine());
            assertEquals("http_version_not_supported", response.json().get("error").asText());
            assertTrue(response.json().get("message").asText().contains("'HTTP/9.9'"), response::toString);
            assertEquals(response.header("x-request-id"), response.json().get("requestId").asText());
            assertEquals("close", response.header("connection"));
            assertTrue(client.closedByServer(), "the connection is closed after the 505");
        }
        assertTrue(dispatcher.requests.isEmpty(), "the HTTP/9.9 request reached no cage");
        try (RawClient client = new RawClient(server.port())) {
            client.send(request("GET", "/hello/greet", null, null));
            assertEquals(200, client.readOne().status(), "the server serves the next connection");
        }
    }

    @Test
    void aTruncatedMultipartUploadIs400OverTheWireAndNeverDispatched() throws Exception {
        start(HostConfig.Http.ephemeral());
        String truncated = "--T\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nkept\r\n"
                + "--T\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\nthe first bytes of a large uplo";
        try (RawClient client = new RawClient(server.port())) {
            client.send(request("POST", "/files/upload", "multipart/form-data; boundary=T", truncated, "X-Request-Id", "cut-1"));
            RawResponse response = client.readOne();
            assertEquals(400, response.status(), response::toString);
            assertEquals("bad_request", response.json().get("error").asText());
            assertTrue(response.json().get("message").asText().contains("closing boundary line '--T--'"), response::toString);
            assertEquals("cut-1", response.json().get("requestId").asText());
            // The body was framed by its Content-Length, so the connection stays usable.
            client.send(request("GET", "/hello/greet", null, null));
            assertEquals(200, client.readOne().status(), "the same connection serves the next request");
        }
        assertEquals(1, dispatcher.requests.size(), "only the request after the truncated upload was dispatched");
        assertEquals("greet", dispatcher.last().operation());
        try (RawClient client = new RawClient(server.port())) {
            client.send(request("POST", "/files/upload", "multipart/form-data; boundary=T", truncated + "ad\r\n--T--\r\n"));
            assertEquals(200, client.readOne().status(), "the whole upload is taken");
        }
        assertEquals("the first bytes of a large upload", new String(dispatcher.last().body(), java.nio.charset.StandardCharsets.UTF_8));
        assertEquals("kept", dispatcher.last().params().get("note"));
    }

    @Test
    void idleConnectionsAreClosed() throws Exception {
        start(HostConfig.Http.ephemeral().withIdleTimeoutSeconds(1));
        try (RawClient client = new RawClient(server.port())) {
            client.send(request("GET", "/a/b", null, null));
            assertEquals(200, client.readOne().status());
            assertTrue(client.closedByServer(), "an idle connection is closed after the idle timeout");
        }
    }

    @Test
    void stopAcceptingClosesTheListenerButServesOpenConnections() throws Exception {
        start(HostConfig.Http.ephemeral());
        int port = server.port();
        try (RawClient client = new RawClient(port)) {
            client.send(request("GET", "/a/b", null, null));
            assertEquals(200, client.readOne().status());

            server.stopAccepting();
            assertThrows(ConnectException.class, () -> new RawClient(port).close());

            client.send(request("GET", "/a/b", null, null));
            RawResponse last = client.readOne();
            assertEquals(200, last.status());
            assertEquals("close", last.header("connection"), "draining connections close after their last answer");
            assertTrue(client.closedByServer());
        }
    }

    @Test
    void portsAreTheBoundOnes() throws Exception {
        start(HostConfig.Http.ephemeral());
        assertTrue(server.port() > 0);
        assertTrue(server.adminPort() > 0);
        assertTrue(server.port() != server.adminPort());
    }
}
