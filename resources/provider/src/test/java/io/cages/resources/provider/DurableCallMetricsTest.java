package io.cages.resources.provider;

import static io.cages.host.testing.PrometheusSamples.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.spi.Dispatcher;
import io.cages.host.spi.InboundRequest;
import io.cages.host.testing.Await;
import io.cages.host.testing.TestCages;
import io.cages.testcages.ledger.LedgerCage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The durable call meters of GET /metrics after known traffic: stored calls by cage and status, and the relay's outcomes. */
class DurableCallMetricsTest {

    private static final String CALLS = "cages_durable_calls";
    private static final String OUTCOMES = "cages_durable_call_outcomes_total";

    @TempDir
    Path dir;
    Host host;

    @AfterEach
    void stop() {
        if (host != null) {
            host.close();
        }
    }

    @Test
    void callsToACageNotDeployedArePendingUntilItIsThenDone() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("data").resolve("main").toAbsolutePath();
        try (Connection c = DriverManager.getConnection(url, "sa", "pw"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE orders (id VARCHAR(100) PRIMARY KEY)");
            s.execute("CREATE TABLE effects (id VARCHAR(1000))");
        }
        Files.writeString(dir.resolve("resources.json"), """
                {"resources": {"main": {"kind": "jdbc", "url": "%s", "username": "sa", "password": "pw"}},
                 "durableCalls": {"inbox": {"payee": "main"}}}
                """.formatted(url));
        host = Host.start(HostConfig.defaults().withName("h1").withWorkDir(dir.resolve("work"))
                .withCageConfigDir(dir.resolve("configs")).withResourcesFile(dir.resolve("resources.json")), List.of());
        assertTrue(host.admin().deploy(TestCages.build("ledger", "1.0.0", LedgerCage.class), "test").succeeded());

        for (int i = 0; i < 3; i++) {
            send(Map.of("id", "m-" + i, "key", "m-" + i, "to", "payee")); // stored outside a transaction: the host's own outbox
        }
        String text = scrape();
        assertEquals(3, sum(text, CALLS, "cage=\"payee\"", "status=\"pending\""), text);
        assertEquals(3, sum(text, CALLS), "nothing else is stored: " + text);
        assertEquals(0, sum(text, OUTCOMES, "outcome=\"delivered\""), text);

        assertTrue(host.admin().deploy(TestCages.build("payee", "1.0.0", LedgerCage.class), "test").succeeded());
        String[] last = new String[1];
        Await.until("the three calls done", Duration.ofSeconds(30), () -> {
            last[0] = scrape(); // cached for a few seconds by the provider: waits out the cache too
            return sum(last[0], CALLS, "cage=\"payee\"", "status=\"done\"") == 3;
        });
        text = last[0];
        assertEquals(0, sum(text, CALLS, "cage=\"payee\"", "status=\"pending\""), text);
        assertEquals(3, sum(text, OUTCOMES, "outcome=\"delivered\""), text);
        assertTrue(sum(text, OUTCOMES, "outcome=\"retried\"") >= 3, "each call failed at least once while payee was missing: " + text);
        assertEquals(0, sum(text, OUTCOMES, "outcome=\"failed\""), text);
        assertEquals(0, sum(text, OUTCOMES, "outcome=\"expired\""), text);
        assertTrue(text.contains("cages_durable_calls_in_flight{"), text);
    }

    private void send(Map<String, Object> params) throws Exception {
        Dispatcher d = host.dispatcher();
        d.dispatch(new InboundRequest(d.newRequestId(), "ledger", "send", params, null, null, null, "test", null)).get(20, TimeUnit.SECONDS);
    }

    private String scrape() {
        return host.admin().metrics(null).text();
    }
}
