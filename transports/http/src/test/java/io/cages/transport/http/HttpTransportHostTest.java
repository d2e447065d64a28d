package io.cages.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.spi.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The transport in a real host (embedded Felix, real dispatcher and admin) with no cages deployed. */
class HttpTransportHostTest {

    @TempDir
    static Path dir;

    private static Host host;
    private static HttpTransport transport;
    private static HttpTestClient http;
    private static HttpTestClient admin;

    @BeforeAll
    static void startHost() throws Exception {
        HostConfig config = HostConfig.defaults()
                .withWorkDir(dir)
                .withCageConfigDir(dir.resolve("configs"))
                .withHttp(HostConfig.Http.ephemeral());
        host = Host.start(config, List.of(new HttpTransport()));
        transport = host.transport(HttpTransport.class).orElseThrow();
        http = HttpTestClient.local(transport.port());
        admin = HttpTestClient.local(transport.adminPort());
    }

    @AfterAll
    static void stopHost() {
        if (http != null) {
            http.close();
            admin.close();
        }
        if (host != null) {
            host.close();
        }
    }

    @Test
    void theTransportIsFoundByServiceLoader() {
        List<Transport> found = ServiceLoader.load(Transport.class).stream().map(ServiceLoader.Provider::get).toList();
        assertTrue(found.stream().anyMatch(t -> t instanceof HttpTransport), found::toString);
        assertEquals("http", new HttpTransport().name());
        assertEquals(-1, new HttpTransport().port(), "not started");
    }

    @Test
    void anUnknownCageIs404WithItsRequestId() {
        HttpTestClient.Response response = http.get("/nope/op");
        assertEquals(404, response.status(), response::toString);
        JsonNode error = response.json();
        assertEquals("not_found", error.get("error").asText());
        assertTrue(error.get("message").asText().contains("nope"), error::toString);
        String id = response.header("x-request-id").orElseThrow();
        assertEquals(id, error.get("requestId").asText());

        HttpTestClient.Response traced = http.postJson("/nope/op", "{\"a\":1}", "X-Request-Id", "trace-7");
        assertEquals("trace-7", traced.json().get("requestId").asText());
        assertEquals("trace-7", traced.header("x-request-id").orElseThrow());
    }

    @Test
    void malformedBytesGet400AndTheHostServesTheNextConnection() throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", transport.port()), 5_000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /a/b HTTP/1.1\r\nHost: x\r\nthis is not a header\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
            assertTrue(answer.contains("\"error\":\"bad_request\""), answer);
            assertTrue(answer.toLowerCase().contains("connection: close"), answer);
        }
        assertEquals(404, http.get("/still/serving").status());
    }

    @Test
    void anUnsupportedHttpVersionIs505AndTheHostServesTheNextConnection() throws IOException {
        for (int port : new int[] {transport.port(), transport.adminPort()}) {
            String answer = exchange(port, "GET /hello/greet HTTP/9.9\r\nHost: x\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 505 "), answer);
            assertTrue(answer.contains("\"error\":\"http_version_not_supported\""), answer);
            assertTrue(answer.contains("HTTP version 'HTTP/9.9' is not supported"), answer);
            assertTrue(answer.contains("\"requestId\":"), answer);
            assertTrue(answer.toLowerCase().contains("connection: close"), answer);
        }
        assertEquals(404, http.get("/still/serving").status());
        assertEquals(200, admin.get("/health").status());
    }

    @Test
    void aTruncatedMultipartBodyIs400AndTheHostServesTheNextConnection() throws IOException {
        String body = "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nA\r\n--B\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\nB";
        String answer = exchange(transport.port(), "POST /nope/op HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                + "Content-Type: multipart/form-data; boundary=B\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
        assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
        assertTrue(answer.contains("truncated multipart body: it ends without its closing boundary line '--B--'"), answer);
        assertEquals(404, http.get("/still/serving").status());
    }

    /** Writes raw bytes on a fresh connection and reads until the server closes it. */
    private static String exchange(int port, String raw) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void adminHealthCagesAndHistory() {
        HttpTestClient.Response health = admin.get("/health");
        assertEquals(200, health.status());
        assertEquals("ok", health.json().get("status").asText());
        JsonNode cages = admin.get("/cages").json();
        assertTrue(cages.isArray() && cages.isEmpty(), cages::toString);
        assertTrue(admin.get("/history").json().isArray());
        assertTrue(admin.get("/config-problems").json().isArray());
        assertEquals(404, admin.get("/nothing-here").status());
    }

    @Test
    void deployingGarbageIs422WithTheReason() {
        HttpTestClient.Response response = admin.post("/deploy", "definitely not a jar".getBytes(StandardCharsets.UTF_8), "application/java-archive");
        assertEquals(422, response.status(), response::toString);
        JsonNode record = response.json();
        assertEquals("FAILED", record.get("outcome").asText());
        String reason = record.get("reason").asText().toLowerCase();
        assertTrue(reason.contains("jar") || reason.contains("cage"), reason);
        assertTrue(record.get("origin").asText().startsWith("admin-api:127.0.0.1"), record::toString);
        assertTrue(record.get("at").isTextual(), "instants are ISO-8601 text: " + record);

        JsonNode history = admin.get("/history").json();
        assertTrue(history.size() >= 1);
        assertEquals("FAILED", history.get(history.size() - 1).get("outcome").asText());
    }

    @Test
    void undeployingAnUnknownCageIs404() {
        HttpTestClient.Response response = admin.post("/undeploy?cage=ghost", null, null);
        assertEquals(404, response.status(), response::toString);
        assertEquals("FAILED", response.json().get("outcome").asText());
        assertEquals(404, admin.delete("/cages/ghost").status());
    }

    @Test
    void aClosedHostRefusesConnections() throws Exception {
        Path other = dir.resolve("second");
        HostConfig config = HostConfig.defaults().withWorkDir(other).withCageConfigDir(other.resolve("configs"))
                .withHttp(HostConfig.Http.ephemeral());
        int port;
        try (Host second = Host.start(config, List.of(new HttpTransport()))) {
            port = second.transport(HttpTransport.class).orElseThrow().port();
            try (HttpTestClient client = HttpTestClient.local(port)) {
                assertEquals(404, client.get("/x/y").status());
            }
        }
        assertThrows(ConnectException.class, () -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                InputStream ignored = socket.getInputStream();
                assertFalse(ignored == null);
            }
        });
    }
}
