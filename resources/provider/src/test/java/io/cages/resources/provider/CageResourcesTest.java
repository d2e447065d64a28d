package io.cages.resources.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cages.api.CageException;
import io.cages.api.ErrorCode;
import io.cages.host.admin.ConfigProblem;
import io.cages.host.spi.Dispatcher;
import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.Reply;
import io.cages.host.testing.Await;
import io.cages.host.testing.TestCages;
import io.cages.testcages.store.StoreCage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.jms.QueueBrowser;
import javax.jms.Session;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resources configured in a host's resources file and used by a real cage bundle through its context: H2 in
 * memory and the host's embedded broker, reconfigured live.
 */
class CageResourcesTest {

    private static final String PASSWORD = "s3cret-pw";
    private static final int IN_VM = 43;

    @TempDir
    Path dir;
    Path file;
    String dbName;
    Host host;

    @BeforeEach
    void start() throws Exception {
        dbName = "wiring" + System.nanoTime();
        try (Connection c = DriverManager.getConnection(h2Url(), "sa", PASSWORD); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE orders (id VARCHAR(40) PRIMARY KEY, item VARCHAR(40))");
        }
        file = dir.resolve("resources.json");
        write(resources(4, ""));
        host = Host.start(config(), List.of());
        host.admin().deploy(TestCages.build("store", "1.0.0", StoreCage.class), "test");
    }

    @AfterEach
    void stop() {
        if (host != null) {
            host.close();
        }
    }

    private HostConfig config() {
        return HostConfig.defaults().withName("h1").withWorkDir(dir.resolve("work"))
                .withCageConfigDir(dir.resolve("configs")).withResourcesFile(file);
    }

    private String h2Url() {
        return "jdbc:h2:mem:" + dbName + ";DB_CLOSE_DELAY=-1";
    }

    private String resources(int maxPoolSize, String extraDbKey) {
        return """
                {"embeddedBroker": {"inVmId": %d},
                 "resources": {
                   "main": {"kind": "jdbc", "url": "%s", "username": "sa", "password": "%s", "maxPoolSize": %d, "minIdle": 1%s},
                   "events": {"kind": "jms", "brokerUrl": "vm://%d"}}}
                """.formatted(IN_VM, h2Url(), PASSWORD, maxPoolSize, extraDbKey, IN_VM);
    }

    private void write(String content) throws Exception {
        Path tmp = file.resolveSibling("resources.json.tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private JsonNode call(String op, Map<String, Object> params) throws Exception {
        Dispatcher d = host.dispatcher();
        Reply reply = d.dispatch(new InboundRequest(d.newRequestId(), "store", op, params, null, null, null, "test", null))
                .get(10, TimeUnit.SECONDS);
        return reply.value();
    }

    private CageException failure(String op, Map<String, Object> params) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> call(op, params));
        return (CageException) e.getCause();
    }

    private Map<String, Object> order(String id, boolean fail) {
        return Map.of("db", "main", "queue", "events", "to", "orders.placed", "id", id, "item", "bolt", "fail", String.valueOf(fail));
    }

    private int rows(String id) throws Exception {
        try (Connection c = DriverManager.getConnection(h2Url(), "sa", PASSWORD);
             var s = c.prepareStatement("SELECT COUNT(*) FROM orders WHERE id = ?")) {
            s.setString(1, id);
            try (var rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Committed messages on a queue, counted with a browser (which neither waits nor consumes). */
    private static int queued(String queue) throws Exception {
        try (ActiveMQConnectionFactory f = new ActiveMQConnectionFactory("vm://" + IN_VM);
             javax.jms.Connection c = f.createConnection()) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            c.start();
            QueueBrowser browser = s.createBrowser(s.createQueue(queue));
            return Collections.list(browser.getEnumeration()).size();
        }
    }

    @Test
    void aCageCommitsADatabaseRowAndAMessageTogetherOrNeither() throws Exception {
        JsonNode ok = call("order", order("o-1", false));
        assertEquals(1, ok.path("results").get(0).asInt(), ok.toString());
        assertTrue(ok.path("results").get(1).asText().startsWith("ID:"), "the send's entry is its message id: " + ok);
        assertEquals(1, rows("o-1"));
        assertEquals(1, queued("orders.placed"));

        CageException failed = failure("order", order("o-2", true));
        assertTrue(failed.getMessage().contains("refused on purpose"), failed.getMessage());
        assertEquals(0, rows("o-2"), "the insert was rolled back");
        assertEquals(1, queued("orders.placed"), "the message was rolled back");
        Await.until("connections returned", Duration.ofSeconds(5),
                () -> host.admin().resources().path("main").path("active").asInt() == 0);
    }

    @Test
    void aPoolIsResizedLiveAndABadFileKeepsTheOldPool() throws Exception {
        assertEquals(4, host.admin().resources().path("main").path("max").asInt());
        write(resources(2, ""));
        Await.until("pool resized to 2", Duration.ofSeconds(10),
                () -> host.admin().resources().path("main").path("max").asInt() == 2);
        assertEquals("1", call("query", Map.of("db", "main", "sql", "SELECT 1")).path("value").asText());

        write(resources(6, ", \"maxPoolSiz\": 9"));
        Await.until("the bad file reported", Duration.ofSeconds(10), () -> !problems().isEmpty());
        ConfigProblem problem = problems().get(0);
        assertTrue(problem.reason().contains("maxPoolSiz"), problem.reason());
        assertTrue(problem.reason().contains("main"), "names the resource: " + problem.reason());
        assertFalse(problem.reason().contains(PASSWORD), "never the password: " + problem.reason());
        assertEquals(2, host.admin().resources().path("main").path("max").asInt(), "the old pool stays");
        assertEquals("1", call("query", Map.of("db", "main", "sql", "SELECT 1")).path("value").asText());

        write(resources(3, ""));
        Await.until("the fixed file applied", Duration.ofSeconds(10),
                () -> problems().isEmpty() && host.admin().resources().path("main").path("max").asInt() == 3);
    }

    private List<ConfigProblem> problems() {
        return host.admin().configProblems().stream().filter(p -> p.file().equals(file.toString())).toList();
    }

    @Test
    void anUnreachableDatabaseIsRejectedAndTheOldOneServes() throws Exception {
        write(resources(4, "").replace(h2Url(), "jdbc:postgresql://127.0.0.1:1/nothing"));
        Await.until("the unreachable database reported", Duration.ofSeconds(15), () -> !problems().isEmpty());
        assertTrue(problems().get(0).reason().contains("cannot connect"), problems().get(0).reason());
        assertEquals("1", call("query", Map.of("db", "main", "sql", "SELECT 1")).path("value").asText());
    }

    @Test
    void anUnreachableBrokerIsRejectedAndTheOldQueueServes() throws Exception {
        write(resources(4, "").replace("\"brokerUrl\": \"vm://" + IN_VM + "\"", "\"brokerUrl\": \"tcp://127.0.0.1:1\""));
        Await.until("the unreachable broker reported", Duration.ofSeconds(15), () -> !problems().isEmpty());
        assertTrue(problems().get(0).reason().contains("jms resource \"events\": cannot connect"), problems().get(0).reason());
        assertTrue(call("send", Map.of("queue", "events", "to", "still.there", "text", "hi")).path("messageId").asText().startsWith("ID:"));
        assertEquals(1, queued("still.there"));
    }

    @Test
    void unknownResourcesAreNamedWithTheKnownOnes() throws Exception {
        CageException e = failure("query", Map.of("db", "nope", "sql", "SELECT 1"));
        assertEquals(ErrorCode.NOT_FOUND, e.code());
        assertTrue(e.getMessage().contains("\"nope\"") && e.getMessage().contains("[main]"), e.getMessage());
    }

    @Test
    void statusShowsPoolCountsAndNoCredentials() {
        JsonNode status = host.admin().resources();
        assertEquals("jdbc", status.path("main").path("kind").asText());
        assertEquals("jms", status.path("events").path("kind").asText());
        assertFalse(status.toString().contains(PASSWORD), status.toString());
    }

    @Test
    void aBadFileAtStartStopsTheHostWithTheReason() throws Exception {
        host.close();
        host = null;
        write("{\"resources\": {\"main\": {\"kind\": \"mongo\"}}}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Host.start(config(), List.of()));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("resources.main.kind"), e.getMessage());
    }
}
