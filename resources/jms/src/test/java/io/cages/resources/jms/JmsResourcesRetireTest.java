package io.cages.resources.jms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.api.ErrorCode;
import io.cages.host.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A reconfigured or removed resource drains: it closes once its sends and transactions ended, or at the grace. */
class JmsResourcesRetireTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    EmbeddedBroker broker;
    JmsResources resources;

    @BeforeEach
    void start() throws Exception {
        broker = EmbeddedBroker.start(dir.resolve("broker"), 0, -1, 10);
    }

    @AfterEach
    void stop() {
        if (resources != null) {
            resources.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private static Map<String, JsonNode> orders(int maxConnections) {
        return Map.of("orders", JSON.createObjectNode().put("brokerUrl", "vm://0").put("maxConnections", maxConnections));
    }

    private void configure(Map<String, JsonNode> config) {
        resources.prepare(config, Duration.ofSeconds(5)).apply();
    }

    @Test
    void aReplacedResourceClosesOnceItsTransactionEndsAndPassesLateSendsOn() throws Exception {
        resources = new JmsResources(System::getenv, Duration.ofMinutes(5));
        configure(orders(1));
        JmsResource old = resources.get("orders");
        JmsTransaction open = old.begin(Deadline.afterMillis(10_000));
        open.send("q.retire", "in the old transaction", null);

        configure(orders(2));
        JmsResource fresh = resources.get("orders");
        assertNotSame(old, fresh);
        old.send("q.retire", "through a stale reference", null, Deadline.afterMillis(5_000));
        assertEquals(1, old.openConnections(), "the old resource stays open for its transaction");

        open.commit();
        Await.until("the old resource closed", Duration.ofSeconds(10), () -> old.openConnections() == 0);
        assertEquals(0, fresh.leasedSessions());
        assertNotNull(JmsResourceTest.receive("vm://0", "q.retire", 5_000));
        assertNotNull(JmsResourceTest.receive("vm://0", "q.retire", 5_000));
    }

    @Test
    void aRemovedResourceClosesAtTheGraceWithATransactionStillOpenAndRefusesLateSends() throws Exception {
        resources = new JmsResources(System::getenv, Duration.ofMillis(200));
        configure(orders(1));
        JmsResource old = resources.get("orders");
        JmsTransaction open = old.begin(Deadline.afterMillis(30_000));

        configure(Map.of());
        Await.until("the old resource closed after the grace", Duration.ofSeconds(10), () -> old.openConnections() == 0);
        CageException e = assertThrows(CageException.class, () -> old.send("q", "late", null, Deadline.afterMillis(5_000)));
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains("'orders' has been removed"), e.getMessage());
        open.rollback(); // the straggler ends late: nothing throws, nothing closes twice
    }
}
