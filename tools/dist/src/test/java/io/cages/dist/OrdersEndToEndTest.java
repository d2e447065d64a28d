package io.cages.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cages.host.testing.Await;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's order flow in a host JVM of its own, over HTTP: the gateway calls inventory (a database row and
 * a durable call of billing's settle in one transaction of the inventory database) and billing (settles each
 * charge once, its dedupe row committed with the invoice in its own database). Then kill -9 in the middle of a
 * burst of orders: after a restart every order the gateway acknowledged is reserved and billed exactly once,
 * no order is billed twice or without its reservation, no order is reserved without being billed, and stock
 * plus reservations still add up.
 *
 * <p>The verdict is read by order id from the ground truth, not from counts that could balance out: once every
 * reservation has its invoice (the restarted host's relay delivered every stored charge), the restarted host is
 * stopped and both databases are read directly. Each request names itself as the order's customer, so every
 * invoice leads back to the one request that placed it.
 *
 * <p>Before durable calls, kill -9 could leave an order in flight reserved but never billed (its database part
 * committed, its queued charge not). The charge is now an outbox row in the reservation's own commit, so that
 * case is gone: this test asserts there is none. Only orders whose requests the kill cut off may be
 * unacknowledged, and each client has at most one in flight (a client stops at its first request cut off: the
 * host is gone). Any other failure of a request fails the test.
 */
class OrdersEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int STOCK = 500; // the inventory cage's seed for sku "bolt"
    private static final int CLIENTS = 3;
    private static final Path REPO = Path.of(System.getProperty("cages.repo", "../.."));

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    /** The TCP port of the running host's embedded broker. */
    private int brokerPort;

    @Test
    void everyAcknowledgedOrderIsReservedAndBilledOnceEvenAcrossKillMinus9() throws Exception {
        Path home = dir.resolve("h1");
        ObjectNode demoJms = demoJmsTransport();
        int consumers = demoJms.path("bindings").get(0).path("consumers").asInt();
        Map<String, String> acknowledged = new ConcurrentHashMap<>(); // order id -> the request (customer) that placed it
        Set<String> cutByKill = ConcurrentHashMap.newKeySet(); // requests outstanding when the host died
        AtomicInteger refusedAfterKill = new AtomicInteger(); // never sent: the host was already gone
        ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
        AtomicBoolean killed = new AtomicBoolean();
        HostProcess host = start(home, demoJms);
        try {
            JsonNode first = order(host, "bolt", 2, "first");
            String firstOrder = first.path("order").asText();
            assertEquals(50, first.path("inventory").path("answer").path("amountCents").asLong(), first.toString());
            Await.until("the first charge settled", Duration.ofSeconds(20),
                    () -> "settled".equals(get(host, "/billing/invoice?order=" + firstOrder).path("status").asText()));

            HttpResponse<String> tooMany = post(host, "/gateway/order?sku=gear&quantity=9999&customer=c-2");
            assertEquals(400, tooMany.statusCode(), tooMany.body());
            assertTrue(tooMany.body().contains("not enough 'gear' in stock"), tooMany.body());

            acknowledged.put(firstOrder, "first");
            AtomicBoolean running = new AtomicBoolean(true);
            List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                String client = "c" + i;
                clients.add(Thread.ofVirtual().start(() -> {
                    try (KeepAliveClient http = new KeepAliveClient(host.address, host.httpPort, Duration.ofSeconds(10))) {
                        for (int n = 0; running.get(); n++) {
                            String request = client + "-" + n;
                            try {
                                KeepAliveClient.Response r = http.post("/gateway/order?sku=bolt&quantity=1&customer=" + request);
                                if (r.status() == 200) {
                                    acknowledged.put(r.json().path("order").asText(), request);
                                } else {
                                    unexpected.add(request + ": " + r);
                                }
                            } catch (KeepAliveClient.CutOff e) {
                                if (killed.get()) {
                                    // The host is dying: a further request could reach its listening socket while
                                    // the process is still being torn down and be cut off too, without ever having
                                    // been in flight at the kill. This client's part is over.
                                    cutByKill.add(request);
                                    return;
                                } else {
                                    unexpected.add(request + ": " + e);
                                }
                            } catch (ConnectException e) {
                                if (killed.get()) {
                                    refusedAfterKill.incrementAndGet();
                                    return; // the host is gone: nothing more to send
                                } else {
                                    unexpected.add(request + ": " + e);
                                }
                            } catch (IOException | RuntimeException e) {
                                unexpected.add(request + ": " + e);
                            }
                        }
                    }
                }));
            }
            Await.until("orders flowing", Duration.ofSeconds(20), () -> acknowledged.size() > 40 || !unexpected.isEmpty());
            killed.set(true);
            host.kill();
            running.set(false);
            for (Thread t : clients) {
                t.join(20_000);
            }
        } finally {
            host.close();
        }
        assertEquals(List.of(), List.copyOf(unexpected), "no order failed except those cut off by the kill");

        HostProcess restarted = start(home, demoJms);
        int left;
        long held;
        try {
            String sentinel = order(restarted, "nut", 1, "sentinel").path("order").asText();
            acknowledged.put(sentinel, "sentinel");
            Await.until("the order placed after the restart settled", Duration.ofSeconds(30),
                    () -> "settled".equals(get(restarted, "/billing/invoice?order=" + sentinel).path("status").asText()));
            Await.until("every reservation billed (the relay delivered every charge stored before the kill)", Duration.ofSeconds(60),
                    () -> get(restarted, "/inventory/reservations").path("count").asInt()
                            == get(restarted, "/billing/invoices").path("count").asInt());
            assertEquals(0, messageCount("DLQ"), "no charge was dead-lettered");
            for (String order : acknowledged.keySet()) {
                assertEquals("settled", get(restarted, "/billing/invoice?order=" + order).path("status").asText(), order);
            }
            JsonNode reservations = get(restarted, "/inventory/reservations");
            left = get(restarted, "/inventory/stock?sku=bolt").path("quantity").asInt();
            held = reservations.path("quantityBySku").path("bolt").asLong();
        } finally {
            restarted.close();
        }

        // The ground truth, read from both databases once the host has stopped.
        Map<String, Row> reserved = rows(home, "inventory", "SELECT order_id, sku, amount_cents FROM reservations");
        Map<String, Row> invoiced = rows(home, "billing", "SELECT order_id, customer, amount_cents FROM invoices");
        Set<String> unacknowledged = new TreeSet<>(reserved.keySet());
        unacknowledged.removeAll(acknowledged.keySet());
        Set<String> neverBilled = new TreeSet<>(reserved.keySet());
        neverBilled.removeAll(invoiced.keySet());
        System.out.printf("orders: %d acknowledged (%d consumers on billing.charges); kill -9 cut off %d requests, %d more refused after it;"
                        + " after restart %d reserved, %d invoiced, %d reserved but not acknowledged, %d reserved but never billed;"
                        + " bolt stock %d + reserved %d = %d%n",
                acknowledged.size(), consumers, cutByKill.size(), refusedAfterKill.get(), reserved.size(), invoiced.size(),
                unacknowledged.size(), neverBilled.size(), left, held, left + held);

        for (Map.Entry<String, String> order : acknowledged.entrySet()) {
            String id = order.getKey();
            assertTrue(reserved.containsKey(id), "acknowledged order " + id + " is reserved");
            assertTrue(invoiced.containsKey(id), "acknowledged order " + id + " is invoiced");
            assertEquals(order.getValue(), invoiced.get(id).party(), "order " + id + " is billed to the request that placed it");
        }
        Set<String> billedWithoutReservation = new TreeSet<>(invoiced.keySet());
        billedWithoutReservation.removeAll(reserved.keySet());
        assertEquals(Set.of(), billedWithoutReservation, "no invoice without its reservation");
        for (Map.Entry<String, Row> invoice : invoiced.entrySet()) {
            assertEquals(reserved.get(invoice.getKey()).amountCents(), invoice.getValue().amountCents(),
                    "order " + invoice.getKey() + " is billed what was reserved");
        }
        List<String> billedTo = invoiced.values().stream().map(Row::party).toList();
        assertEquals(billedTo.size(), new HashSet<>(billedTo).size(), "no request was billed twice (under two order ids): " + billedTo);
        // Orders nobody acknowledged can only come from requests the kill cut off, at most one each.
        assertTrue(unacknowledged.size() <= cutByKill.size(), "unacknowledged orders " + unacknowledged + " <= requests cut off " + cutByKill);
        for (String order : unacknowledged) {
            if (invoiced.containsKey(order)) {
                assertTrue(cutByKill.contains(invoiced.get(order).party()),
                        "unacknowledged order " + order + " was placed by a request the kill cut off: " + invoiced.get(order));
            }
        }
        assertEquals(Set.of(), neverBilled, "no order is reserved but never billed (the charge commits with the reservation)");
        assertEquals(STOCK, left + held, "stock and reservations add up");
        assertEquals(STOCK, scalar(home, "inventory", "SELECT quantity FROM stock WHERE sku = 'bolt'")
                        + scalar(home, "inventory", "SELECT COALESCE(SUM(quantity), 0) FROM reservations WHERE sku = 'bolt'"),
                "stock and reservations add up in the database");
    }

    /** One row of reservations (party = sku) or invoices (party = customer), by order id. */
    private record Row(String party, long amountCents) {
    }

    private static Map<String, Row> rows(Path home, String database, String sql) throws SQLException {
        Map<String, Row> rows = new TreeMap<>();
        try (Connection c = h2(home, database); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                Row previous = rows.put(rs.getString(1), new Row(rs.getString(2), rs.getLong(3)));
                assertEquals(null, previous, database + " has order " + rs.getString(1) + " twice");
            }
        }
        return rows;
    }

    private static long scalar(Path home, String database, String sql) throws SQLException {
        try (Connection c = h2(home, database); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next(), database + ": no row for " + sql);
            return rs.getLong(1);
        }
    }

    private static Connection h2(Path home, String database) throws SQLException {
        // IFEXISTS: a wrong path must fail, not open an empty database that would pass for "no orders".
        return DriverManager.getConnection("jdbc:h2:file:" + dataDir(home) + "/" + database + ";IFEXISTS=TRUE", "sa", "");
    }

    private static String dataDir(Path home) {
        return home.resolve("data").toAbsolutePath().toString();
    }

    /**
     * Messages in a queue of the host's embedded broker, asked over its TCP acceptor. Artemis counts the
     * messages waiting and those delivered but not yet acknowledged (a settle in progress), so zero means
     * every charge was settled or dead-lettered.
     */
    private long messageCount(String queue) {
        try (ServerLocator locator = ActiveMQClient.createServerLocator("tcp://127.0.0.1:" + brokerPort);
             ClientSessionFactory factory = locator.createSessionFactory();
             ClientSession session = factory.createSession()) {
            ClientSession.QueueQuery query = session.queueQuery(SimpleString.of(queue));
            assertTrue(query.isExists(), "the broker has a queue " + queue);
            return query.getMessageCount();
        } catch (AssertionError e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError("cannot ask the broker about " + queue, e);
        }
    }

    /** The demo's JMS transport section ({@code configs/host.json}), so this test runs its consumer count. */
    private static ObjectNode demoJmsTransport() throws IOException {
        JsonNode jms = JSON.readTree(REPO.resolve("configs/host.json").toFile()).path("transports").path("jms");
        assertTrue(jms.isObject(), "configs/host.json has a jms transport");
        JsonNode binding = jms.path("bindings").get(0);
        assertEquals(1, jms.path("bindings").size(), "the demo binds one queue: " + jms);
        assertEquals("billing.charges", binding.path("queue").asText(), jms.toString());
        assertEquals("billing", binding.path("cage").asText(), jms.toString());
        assertEquals("settle", binding.path("operation").asText(), jms.toString());
        assertTrue(binding.path("consumers").asInt() >= 1, "the demo names its consumer count: " + jms);
        return (ObjectNode) jms;
    }

    private HostProcess start(Path home, ObjectNode demoJms) throws Exception {
        String data = dataDir(home);
        brokerPort = HostProcess.freePort();
        ObjectNode resources = JSON.createObjectNode();
        // The TCP acceptor lets the test ask the broker how many charges are left.
        resources.putObject("embeddedBroker").put("enabled", true).put("tcpPort", brokerPort).put("tcpBind", "127.0.0.1");
        ObjectNode r = resources.putObject("resources");
        // WRITE_DELAY=0: H2 flushes each commit, so a commit is durable against kill -9 like the broker's journal.
        r.putObject("inventory").put("kind", "jdbc").put("url", "jdbc:h2:file:" + data + "/inventory;WRITE_DELAY=0")
                .put("username", "sa").put("password", "");
        r.putObject("billing").put("kind", "jdbc").put("url", "jdbc:h2:file:" + data + "/billing;WRITE_DELAY=0")
                .put("username", "sa").put("password", "");
        r.putObject("events").put("kind", "jms").put("brokerUrl", "vm://0");
        // billing's dedupe rows live in its own database, so each key commits with its invoice.
        resources.putObject("durableCalls").putObject("inbox").put("billing", "billing");
        ObjectNode transports = JSON.createObjectNode();
        transports.set("jms", demoJms.deepCopy());
        Map<String, byte[]> cages = Map.of("gateway", RunningHost.example("gateway"),
                "inventory", RunningHost.example("inventory"), "billing", RunningHost.example("billing"));
        return HostProcess.start("h1", home, cages, transports, List.of(), "127.0.0.1", resources);
    }

    private JsonNode order(HostProcess host, String sku, int quantity, String customer) throws Exception {
        HttpResponse<String> r = post(host, "/gateway/order?sku=" + sku + "&quantity=" + quantity + "&customer=" + customer);
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private HttpResponse<String> post(HostProcess host, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(host.http(path)).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode get(HostProcess host, String path) {
        try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(host.http(path)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(r.body());
        } catch (Exception e) {
            throw new IllegalStateException("GET " + path + " failed", e);
        }
    }
}
