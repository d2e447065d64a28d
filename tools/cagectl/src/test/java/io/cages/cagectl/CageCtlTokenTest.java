package io.cages.cagectl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** cagectl sends the admin token from --token or CAGES_ADMIN_TOKEN, to a fake admin API that checks it like the host. */
class CageCtlTokenTest {

    private static final String UNAUTHORIZED = "{\"error\":\"unauthorized\",\"message\":\"this admin listener needs 'Authorization: Bearer <token>'"
            + " with the host's admin token (cagectl: --token or the environment variable CAGES_ADMIN_TOKEN)\",\"requestId\":\"r-1\"}";

    private HttpServer server;
    private String adminUrl;
    private volatile String lastAuthorization;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void startFakeHost() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
        adminUrl = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stopFakeHost() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        lastAuthorization = exchange.getRequestHeaders().getFirst("Authorization");
        boolean allowed = "Bearer good-token".equals(lastAuthorization);
        byte[] bytes = (allowed ? "[]" : UNAUTHORIZED).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(allowed ? 200 : 401, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private int run(Map<String, String> env, String... args) {
        return new CageCtl(env, new PrintWriter(out), new PrintWriter(err), ZoneOffset.UTC).execute(args);
    }

    @Test
    void theTokenComesFromTheEnvironment() {
        assertEquals(ExitCodes.OK, run(Map.of(CageCtl.ADMIN_ENV, adminUrl, CageCtl.TOKEN_ENV, "good-token"), "list"), err::toString);
        assertEquals("Bearer good-token", lastAuthorization);
    }

    @Test
    void theOptionBeatsTheEnvironment() {
        assertEquals(ExitCodes.OK, run(Map.of(CageCtl.ADMIN_ENV, adminUrl, CageCtl.TOKEN_ENV, "stale"), "--token", "good-token", "list"),
                err::toString);
        assertEquals("Bearer good-token", lastAuthorization);
        assertEquals(ExitCodes.OK, run(Map.of(CageCtl.ADMIN_ENV, adminUrl), "list", "--token", "good-token"), err::toString);
    }

    @Test
    void withoutATokenNoHeaderIsSentAndThe401Explains() {
        assertEquals(ExitCodes.FAILED, run(Map.of(CageCtl.ADMIN_ENV, adminUrl), "list"));
        assertEquals(null, lastAuthorization);
        assertEquals("error: this admin listener needs 'Authorization: Bearer <token>' with the host's admin token"
                + " (cagectl: --token or the environment variable CAGES_ADMIN_TOKEN) (HTTP 401 unauthorized, request r-1)\n", err.toString());
    }
}
