package io.cages.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.host.Host;
import io.cages.host.HostConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin listener's token: required beyond loopback, checked on every request once set. */
class AdminTokenTest {

    private static final String TOKEN = "s3cret-t0ken";

    @TempDir
    Path dir;

    private HostConfig config(String adminBind, String token) {
        return HostConfig.defaults()
                .withWorkDir(dir.resolve("work"))
                .withCageConfigDir(dir.resolve("configs"))
                .withHttp(HostConfig.Http.ephemeral().withAdmin(adminBind, token));
    }

    @Test
    void anAdminListenerBeyondLoopbackWithoutATokenRefusesToStart() {
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> Host.start(config("0.0.0.0", null), List.of(new HttpTransport())).close());
        assertEquals("the admin listener would bind to 0.0.0.0, beyond loopback, without a token: anyone who reaches it could"
                + " deploy code. Set one with \"adminToken\" in the \"http\" section of host.json (e.g. \"adminToken\":"
                + " \"${env:MY_ADMIN_TOKEN}\") or the environment variable CAGES_ADMIN_TOKEN, or bind the admin listener to"
                + " loopback (\"adminBind\": \"127.0.0.1\")", refused.getMessage());
    }

    @Test
    void withATokenEveryAdminRequestNeedsItEvenOnLoopback() throws Exception {
        try (Host host = Host.start(config("127.0.0.1", TOKEN), List.of(new HttpTransport()));
             HttpTestClient admin = HttpTestClient.local(host.transport(HttpTransport.class).orElseThrow().adminPort())) {
            for (String path : List.of("/health", "/cages", "/metrics")) {
                HttpTestClient.Response none = admin.get(path);
                assertEquals(401, none.status(), path);
                assertEquals("unauthorized", none.json().get("error").asText());
                assertEquals("this admin listener needs 'Authorization: Bearer <token>' with the host's admin token"
                        + " (cagectl: --token or the environment variable CAGES_ADMIN_TOKEN)", none.json().get("message").asText());
                assertTrue(none.header("WWW-Authenticate").orElseThrow().startsWith("Bearer"), path);

                assertEquals(401, admin.get(path, "Authorization", "Bearer wrong-token").status(), path);
                assertEquals(401, admin.get(path, "Authorization", "Bearer " + TOKEN + "x").status(), path);
                assertEquals(401, admin.get(path, "Authorization", "Basic " + TOKEN).status(), path);
                assertEquals(200, admin.get(path, "Authorization", "Bearer " + TOKEN).status(), path);
            }
            assertEquals(401, admin.post("/undeploy?cage=nope", null, null).status(), "no admin action without the token");
        }
    }

    @Test
    void withoutATokenLoopbackWorksAsBefore() throws Exception {
        try (Host host = Host.start(config("127.0.0.1", null), List.of(new HttpTransport()));
             HttpTestClient admin = HttpTestClient.local(host.transport(HttpTransport.class).orElseThrow().adminPort())) {
            assertEquals(200, admin.get("/health").status());
            assertEquals(200, admin.get("/cages", "Authorization", "Bearer anything").status());
        }
    }
}
