package io.cages.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.testing.TestCages;
import io.cages.testcages.VersionCage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The call policy seen from an HTTP client: an HTTP caller is {@code http:<ip>:<port>}, a refusal is 403. */
class HttpCallPolicyTest {

    @TempDir
    Path dir;

    @Test
    void anHttpCallThePolicyDoesNotAllowIs403NamingCallerCageAndOperation() throws Exception {
        Path configs = dir.resolve("configs");
        Files.createDirectories(configs);
        Files.writeString(configs.resolve("policy.json"), """
                {"default": "deny", "allow": [{"caller": "http:*", "cage": "svc", "operations": ["version"]}]}
                """);
        HostConfig config = HostConfig.defaults().withWorkDir(dir.resolve("work")).withCageConfigDir(configs.resolve("cages"))
                .withResourcesFile(configs.resolve("resources.json")).withHttp(HostConfig.Http.ephemeral());
        try (Host host = Host.start(config, List.of(new HttpTransport()))) {
            assertTrue(host.admin().deploy(TestCages.build("svc", "1.0.0", VersionCage.class), "test").succeeded());
            HttpTransport transport = host.transport(HttpTransport.class).orElseThrow();
            try (HttpTestClient http = HttpTestClient.local(transport.port())) {
                HttpTestClient.Response allowed = http.get("/svc/version");
                assertEquals(200, allowed.status(), allowed::toString);

                HttpTestClient.Response refused = http.get("/svc/thread");
                assertEquals(403, refused.status(), refused::toString);
                JsonNode error = refused.json();
                assertEquals("forbidden", error.get("error").asText());
                assertTrue(error.get("message").asText().matches("forbidden: caller 'http:127\\.0\\.0\\.1:\\d+' may not call svc\\.thread \\(flock policy\\)"),
                        error::toString);

                // An unknown cage is still not found, whoever asks: the lookup comes first.
                assertEquals(404, http.get("/nope/version").status());
            }
        }
    }
}
