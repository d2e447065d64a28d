package io.cages.resources.jms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.api.ErrorCode;
import io.cages.host.testing.Await;
import io.cages.host.testing.Ports;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.jms.Connection;
import javax.jms.Message;
import javax.jms.MessageConsumer;
import javax.jms.Session;
import javax.jms.TextMessage;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The send resource against a real embedded broker. */
class JmsResourceTest {

    @TempDir
    Path dir;
    EmbeddedBroker broker;
    JmsResource jms;

    @BeforeEach
    void start() throws Exception {
        broker = EmbeddedBroker.start(dir.resolve("broker"), 0, -1, 10);
        jms = new JmsResource("orders", new JmsSettings("vm://0", null, null, 1, 2, 5_000));
    }

    @AfterEach
    void stop() {
        if (jms != null) {
            jms.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    static Message receive(String url, String queue, long timeoutMs) throws Exception {
        try (ActiveMQConnectionFactory f = new ActiveMQConnectionFactory(url);
             Connection c = f.createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = s.createConsumer(s.createQueue(queue));
            return consumer.receive(timeoutMs);
        }
    }

    @Test
    void sendsTextAndBytesWithProperties() throws Exception {
        String id = jms.send("q.text", "hello", Map.of("kind", "greeting"), Deadline.afterMillis(5_000));
        jms.send("q.bytes", new byte[] {1, 2, 3}, null, Deadline.afterMillis(5_000));

        Message text = receive("vm://0", "q.text", 5_000);
        assertEquals("hello", ((TextMessage) text).getText());
        assertEquals("greeting", text.getStringProperty("kind"));
        assertEquals(id, text.getJMSMessageID());
        assertEquals(3, ((javax.jms.BytesMessage) receive("vm://0", "q.bytes", 5_000)).getBodyLength());
        assertEquals(0, jms.leasedSessions());
    }

    @Test
    void exhaustedPoolFailsWithinTheDeadlineNamingTheResource() throws Exception {
        try (JmsTransaction a = jms.begin(Deadline.afterMillis(5_000)); JmsTransaction b = jms.begin(Deadline.afterMillis(5_000))) {
            long t0 = System.nanoTime();
            CageException e = assertThrows(CageException.class, () -> jms.send("q", "x", null, Deadline.afterMillis(200)));
            long tookMs = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(ErrorCode.DEADLINE_EXCEEDED, e.code());
            assertTrue(e.getMessage().contains("'orders'") && e.getMessage().contains("no session free"), e.getMessage());
            assertTrue(tookMs >= 150 && tookMs < 1_500, "waited " + tookMs + " ms for a 200 ms deadline");
        }
        assertEquals(0, jms.leasedSessions(), "both transactions gave their sessions back");
        assertEquals(ErrorCode.DEADLINE_EXCEEDED,
                assertThrows(CageException.class, () -> jms.send("q", "x", null, Deadline.afterMillis(0))).code());
    }

    @Test
    void transactionSendsBecomeVisibleOnlyOnCommit() throws Exception {
        JmsTransaction rolledBack = jms.begin(Deadline.afterMillis(5_000));
        rolledBack.send("q.tx", "never", null);
        rolledBack.rollback();

        JmsTransaction tx = jms.begin(Deadline.afterMillis(5_000));
        tx.send("q.tx", "one", Map.of("n", "1"));
        tx.send("q.tx", "two", Map.of("n", "2"));
        assertNull(receive("vm://0", "q.tx", 100), "nothing visible before commit");
        tx.commit();

        assertEquals("one", ((TextMessage) receive("vm://0", "q.tx", 5_000)).getText());
        assertEquals("two", ((TextMessage) receive("vm://0", "q.tx", 5_000)).getText());
        assertEquals(0, jms.leasedSessions());
    }

    @Test
    void commitAfterTheDeadlineRollsBack() throws Exception {
        Deadline deadline = Deadline.afterMillis(1_000);
        JmsTransaction tx = jms.begin(deadline);
        tx.send("q.late", "late", null);
        Await.until("the deadline passes", Duration.ofSeconds(5), deadline::isExpired);
        CageException e = assertThrows(CageException.class, tx::commit);
        assertEquals(ErrorCode.DEADLINE_EXCEEDED, e.code());
        assertNull(receive("vm://0", "q.late", 100));
        assertEquals(0, jms.leasedSessions());
    }

    @Test
    void unreachableBrokerIsUnavailableNamingTheResource() throws Exception {
        int port = Ports.free(); // nothing listens there
        try (JmsResource dead = new JmsResource("billing", new JmsSettings(
                "tcp://127.0.0.1:" + port + "?connectTimeoutMillis=500", null, null, 1, 1, 1_000))) {
            CageException e = assertThrows(CageException.class, () -> dead.send("q", "x", null, Deadline.afterMillis(5_000)));
            assertEquals(ErrorCode.UNAVAILABLE, e.code());
            assertTrue(e.getMessage().contains("'billing'"), e.getMessage());
            assertEquals(0, dead.leasedSessions());
        }
    }

    @Test
    void journalKeepsMessagesAcrossABrokerRestart() throws Exception {
        jms.send("q.durable", "survives", null, Deadline.afterMillis(5_000));
        jms.close();
        jms = null;
        broker.close();

        broker = EmbeddedBroker.start(dir.resolve("broker"), 0, -1, 10);
        Message m = receive("vm://0", "q.durable", 5_000);
        assertNotNull(m, "the message sent before the restart is there after it");
        assertEquals("survives", ((TextMessage) m).getText());
    }

    @Test
    void theIdReturnedIsExactlyTheJmsMessageIdOfEachMessage() throws Exception {
        // The resource formats the id itself (cheaper than Artemis); it must stay the same text.
        try (ActiveMQConnectionFactory f = new ActiveMQConnectionFactory("vm://0");
             Connection c = f.createConnection()) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            javax.jms.MessageProducer p = s.createProducer(s.createQueue("q.ids"));
            for (int i = 0; i < 2_000; i++) {
                Message m = i % 2 == 0 ? s.createTextMessage("x") : s.createBytesMessage();
                p.send(m, javax.jms.DeliveryMode.NON_PERSISTENT, 4, 0);
                String ours = io.cages.resources.jms.Messages.sentId(m);
                assertEquals(m.getJMSMessageID(), ours);
                assertTrue(ours.matches("ID:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), ours);
            }
        }
    }

    @Test
    void nonPersistentSendsArriveButDoNotSurviveABrokerRestart() throws Exception {
        jms.send("q.durable2", "kept", null, Deadline.afterMillis(5_000));
        try (JmsResource fast = new JmsResource("events", new JmsSettings("vm://0", null, null, 1, 2, 5_000)
                .withDeliveryMode(JmsSettings.Delivery.NON_PERSISTENT))) {
            fast.send("q.events", "first", null, Deadline.afterMillis(5_000));
            Message m = receive("vm://0", "q.events", 5_000);
            assertEquals("first", ((TextMessage) m).getText());
            assertEquals(javax.jms.DeliveryMode.NON_PERSISTENT, m.getJMSDeliveryMode());

            fast.send("q.events", "lost at restart", null, Deadline.afterMillis(5_000));
            Await.until("the broker has it", Duration.ofSeconds(5), () -> broker.messageCount("q.events") == 1);
        }
        jms.close();
        jms = null;
        broker.close();

        broker = EmbeddedBroker.start(dir.resolve("broker"), 0, -1, 10);
        assertNull(receive("vm://0", "q.events", 500), "a non-persistent message is not in the journal");
        assertEquals("kept", ((TextMessage) receive("vm://0", "q.durable2", 5_000)).getText(), "the persistent one is");
    }

    @Test
    void tcpAcceptorWorksLikeInVm() throws Exception {
        broker.close();
        int port = Ports.free();
        broker = EmbeddedBroker.start(dir.resolve("broker2"), 0, port, 10);
        try (JmsResource tcp = new JmsResource("tcp", new JmsSettings("tcp://127.0.0.1:" + port, null, null, 1, 1, 5_000))) {
            tcp.send("q.tcp", "over tcp", null, Deadline.afterMillis(5_000));
        }
        assertEquals("over tcp", ((TextMessage) receive("vm://0", "q.tcp", 5_000)).getText());
    }
}
