package io.cages.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.testing.Await;
import io.cages.host.testing.TestCages;
import io.cages.testcages.VersionCage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console over plain HTTP: its files need no token, its history does, and counts known traffic. */
class ConsoleEndpointTest {

    private static final String TOKEN = "console-test-token";

    @TempDir
    Path dir;

    private HostConfig config(HostConfig.Metrics metrics) {
        return HostConfig.defaults()
                .withWorkDir(dir.resolve("work"))
                .withCageConfigDir(dir.resolve("configs"))
                .withHttp(HostConfig.Http.ephemeral().withAdmin("127.0.0.1", TOKEN))
                .withMetrics(metrics);
    }

    @Test
    void pageAndChartsLibraryWithoutTokenHistoryWithIt() throws Exception {
        try (Host host = Host.start(config(null), List.of(new HttpTransport()))) {
            assertTrue(host.admin().deploy(TestCages.build("hello", "1.0.0", VersionCage.class), "test").succeeded());
            HttpTransport transport = host.transport(HttpTransport.class).orElseThrow();
            try (HttpTestClient http = HttpTestClient.local(transport.port()); HttpTestClient admin = HttpTestClient.local(transport.adminPort())) {
                HttpTestClient.Response page = admin.get("/console");
                assertEquals(200, page.status());
                assertTrue(page.header("Content-Type").orElseThrow().startsWith("text/html"), page.headers().toString());
                assertTrue(page.text().contains("<script src=\"/console/console.js\"></script>"), page.text());
                HttpTestClient.Response uplot = admin.get("/console/uPlot.iife.min.js");
                assertEquals(200, uplot.status());
                assertTrue(uplot.text().contains("uPlot"), "uPlot from its webjar");
                assertEquals(200, admin.get("/console/console.js").status());
                assertEquals(200, admin.get("/console/uPlot.min.css").status());
                assertEquals(401, admin.get("/console/other.js").status(), "only the console's own files go without a token");
                assertEquals(401, admin.get("/console/api/history").status(), "the data needs the token");

                for (int i = 0; i < 5; i++) {
                    assertEquals(200, http.get("/hello/version").status());
                }
                assertEquals(404, http.get("/nosuch/op").status());
                String bearer = "Bearer " + TOKEN;
                Await.until("five requests of hello in the history", Duration.ofSeconds(10),
                        () -> sum(admin.get("/console/api/history?cage=hello&operation=version&window=minute", "Authorization", bearer)
                                .json().get("requests")) == 5);
                JsonNode minute = admin.get("/console/api/history?cage=hello&window=minute", "Authorization", bearer).json();
                assertEquals("minute", minute.get("window").asText());
                assertEquals(10, minute.get("slotSeconds").asInt());
                assertEquals(6, minute.get("times").size());
                assertEquals(0, sum(minute.get("errors")));
                assertEquals("[\"version\"]", minute.get("series").get("hello").toString(), "a name that is no cage makes no series");
                assertEquals(1, minute.get("swaps").size(), "the deploy, as a marker");
                assertEquals("1.0.0", minute.get("swaps").get(0).get("to").asText());
                JsonNode hour = admin.get("/console/api/history?window=hour", "Authorization", bearer).json();
                assertEquals(60, hour.get("times").size());
                assertEquals(5, sum(hour.get("requests")), "host totals");

                HttpTestClient.Response badWindow = admin.get("/console/api/history?window=day", "Authorization", bearer);
                assertEquals(400, badWindow.status());
                assertEquals("window must be 'minute' (last minute per 10 s) or 'hour' (last hour per minute), not 'day'",
                        badWindow.json().get("message").asText());
            }
        }
    }

    @Test
    void withMetricsOffTheHistoryIs404WithTheSwitchNamed() throws Exception {
        try (Host host = Host.start(config(new HostConfig.Metrics(false)), List.of(new HttpTransport()))) {
            HttpTransport transport = host.transport(HttpTransport.class).orElseThrow();
            try (HttpTestClient admin = HttpTestClient.local(transport.adminPort())) {
                HttpTestClient.Response history = admin.get("/console/api/history", "Authorization", "Bearer " + TOKEN);
                assertEquals(404, history.status());
                assertEquals("metrics are switched off on this host (\"metrics\": {\"enabled\": false} in host.json), so the console has no history",
                        history.json().get("message").asText());
                assertEquals(200, admin.get("/console").status(), "the page still loads (its tables need no metrics)");
            }
        }
    }

    private static long sum(JsonNode column) {
        long total = 0;
        for (JsonNode n : column) {
            total += n.asLong();
        }
        return total;
    }
}
