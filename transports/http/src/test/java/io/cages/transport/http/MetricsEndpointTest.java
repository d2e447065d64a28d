package io.cages.transport.http;

import static io.cages.host.testing.PrometheusSamples.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.admin.CageInfo;
import io.cages.host.testing.Await;
import io.cages.host.testing.TestCages;
import io.cages.testcages.metered.MeteredCage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET /metrics of a real host after known traffic over real sockets: exact counts by outcome. */
class MetricsEndpointTest {

    @TempDir
    Path dir;

    private HostConfig config(HostConfig.Metrics metrics) {
        return HostConfig.defaults()
                .withWorkDir(dir.resolve("work"))
                .withCageConfigDir(dir.resolve("configs"))
                .withHttp(HostConfig.Http.ephemeral())
                // One running, none queued: a second request while one runs is refused.
                .withCageLimits("metered", new HostConfig.Limits(null, 1, 0, null, null))
                .withMetrics(metrics);
    }

    @Test
    void countsEveryOutcomeOfKnownTraffic() throws Exception {
        try (Host host = Host.start(config(null), List.of(new HttpTransport()))) {
            assertTrue(host.admin().deploy(TestCages.build("metered", "1.0.0", MeteredCage.class), "test").succeeded());
            HttpTransport transport = host.transport(HttpTransport.class).orElseThrow();
            try (HttpTestClient http = HttpTestClient.local(transport.port()); HttpTestClient admin = HttpTestClient.local(transport.adminPort())) {
                // The caller hears the answer just before the request's slot is released: with one slot, each call
                // waits for the cage to be idle again, or the next one could be refused.
                for (int i = 0; i < 7; i++) {
                    assertEquals(200, http.get("/metered/ok").status());
                    awaitIdle(host);
                }
                for (int i = 0; i < 3; i++) {
                    assertEquals(400, http.get("/metered/bad").status());
                    awaitIdle(host);
                }
                assertEquals(504, http.get("/metered/sleep?ms=10000", "X-Cage-Timeout-Ms", "100").status());
                awaitIdle(host);
                CompletableFuture<Integer> holding = CompletableFuture.supplyAsync(
                        () -> http.get("/metered/sleep?ms=10000", "X-Cage-Timeout-Ms", "1500").status());
                Await.until("the holding request runs", Duration.ofSeconds(5), () -> metered(host).running() == 1);
                assertEquals(503, http.get("/metered/ok").status(), "refused: one running, no queue");
                assertEquals(504, holding.get().intValue());
                awaitIdle(host);

                HttpTestClient.Response scrape = admin.get("/metrics");
                assertEquals(200, scrape.status());
                assertTrue(scrape.header("Content-Type").orElseThrow().startsWith("text/plain; version=0.0.4"), scrape.headers().toString());
                String text = scrape.text();
                assertEquals(7, sum(text, "cages_request_duration_seconds_count", "cage=\"metered\"", "outcome=\"ok\""), text);
                assertEquals(3, sum(text, "cages_request_duration_seconds_count", "cage=\"metered\"", "outcome=\"bad_request\""), text);
                assertEquals(2, sum(text, "cages_request_duration_seconds_count", "cage=\"metered\"", "outcome=\"deadline_exceeded\""), text);
                assertEquals(12, sum(text, "cages_request_duration_seconds_count", "cage=\"metered\""), "nothing else was counted");
                assertEquals(1, sum(text, "cages_requests_refused_total", "cage=\"metered\"", "operation=\"ok\"", "reason=\"unavailable\""), text);
                assertEquals(1, sum(text, "cages_requests_refused_total", "cage=\"metered\""), text);
                assertEquals(2, sum(text, "cages_request_deadline_misses_total", "cage=\"metered\"", "operation=\"sleep\""), text);
                // The same requests under the OpenTelemetry-style HTTP name, with the version and transport tags.
                assertEquals(7, sum(text, "http_server_request_duration_seconds_count", "cage=\"metered\"", "operation=\"ok\"",
                        "version=\"1.0.0\"", "transport=\"http\"", "outcome=\"ok\""), text);
                assertTrue(sum(text, "cages_request_duration_seconds_bucket", "cage=\"metered\"", "outcome=\"ok\"", "le=\"+Inf\"") == 7,
                        "a histogram for Prometheus' quantiles");
                assertEquals(0, sum(text, "cages_requests_in_flight", "cage=\"metered\""), text);
                assertEquals(1, sum(text, "cages_swap_duration_seconds_count", "cage=\"metered\"", "action=\"deploy\"", "outcome=\"active\""), text);
                assertFalse(text.contains("cages_durable_"), "no durable call meters on a host without a resource provider");
                assertFalse(text.contains("cages_job_"), "no job meters on a host without the jobs transport");
                assertTrue(text.contains("jvm_memory_used_bytes{"), "JVM metrics");
                assertTrue(text.contains("process_cpu_usage{") || text.contains("system_cpu_count{"), "processor metrics");

                HttpTestClient.Response openMetrics = admin.get("/metrics", "Accept", "application/openmetrics-text; version=1.0.0");
                assertEquals(200, openMetrics.status());
                assertTrue(openMetrics.header("Content-Type").orElseThrow().startsWith("application/openmetrics-text"), openMetrics.headers().toString());
                assertTrue(openMetrics.text().strip().endsWith("# EOF"), "OpenMetrics ends with # EOF");
            }
        }
    }

    @Test
    void switchedOffMetricsAre404WithTheSwitchNamed() throws Exception {
        try (Host host = Host.start(config(new HostConfig.Metrics(false)), List.of(new HttpTransport()))) {
            assertTrue(host.admin().deploy(TestCages.build("metered", "1.0.0", MeteredCage.class), "test").succeeded());
            HttpTransport transport = host.transport(HttpTransport.class).orElseThrow();
            try (HttpTestClient http = HttpTestClient.local(transport.port()); HttpTestClient admin = HttpTestClient.local(transport.adminPort())) {
                assertEquals(200, http.get("/metered/ok").status());
                HttpTestClient.Response scrape = admin.get("/metrics");
                assertEquals(404, scrape.status());
                assertEquals("not_found", scrape.json().get("error").asText());
                assertEquals("metrics are switched off on this host (\"metrics\": {\"enabled\": false} in host.json)",
                        scrape.json().get("message").asText());
            }
        }
    }

    private static CageInfo metered(Host host) {
        return host.admin().cages().stream().filter(c -> c.name().equals("metered")).findFirst().orElseThrow();
    }

    /** Every request's metrics are recorded before its slot is released: idle means all are counted. */
    private static void awaitIdle(Host host) {
        Await.until("cage 'metered' is idle", Duration.ofSeconds(10), () -> metered(host).running() == 0 && metered(host).queued() == 0);
    }
}
