package io.cages.transport.jms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cages.api.Deadline;
import io.cages.host.admin.DeployRecord;
import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.testing.Await;
import io.cages.host.testing.Probe;
import io.cages.host.testing.TestCages;
import io.cages.transport.jms.JmsTransportSettings.Binding;
import io.cages.transport.jms.testcage.QueueCage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.jms.Connection;
import javax.jms.MapMessage;
import javax.jms.ObjectMessage;
import javax.jms.Message;
import javax.jms.MessageConsumer;
import javax.jms.MessageProducer;
import javax.jms.Queue;
import javax.jms.Session;
import javax.jms.TextMessage;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import java.util.concurrent.atomic.AtomicInteger;
import io.cages.api.ErrorCode;
import io.cages.host.spi.Dispatcher;
import io.cages.host.spi.RefusedException;
import io.cages.host.spi.Transport;
import io.cages.host.spi.TransportContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.cages.transport.jms.JmsTransport;
import io.cages.transport.jms.JmsTransportSettings;
import io.cages.resources.jms.EmbeddedBroker;
import io.cages.resources.jms.JmsResource;
import io.cages.resources.jms.JmsSettings;

/** The JMS transport on a real embedded broker feeding a real host running {@link QueueCage}. */
class JmsTransportTest {

    static final int MAX_ATTEMPTS = 3;
    static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path dir;
    EmbeddedBroker broker;
    Host host;
    ActiveMQConnectionFactory factory;
    Connection client;
    Session session;

    @BeforeEach
    void start() throws Exception {
        Probe.reset();
        Probe.counters(); // the cage counts only when the map exists
        // The broker would give up later than the transport, so the transport's DLQ copy (with the reason) wins.
        broker = EmbeddedBroker.start(dir.resolve("broker"), 0, -1, MAX_ATTEMPTS + 2);
        JmsTransport transport = new JmsTransport(new JmsTransportSettings(null, MAX_ATTEMPTS, 100, List.of(
                new Binding("q.record", "ledger", "record", 4),
                new Binding("q.echo", "ledger", "echo", 1),
                new Binding("q.fail-twice", "ledger", "fail-twice", 1),
                new Binding("q.fail", "ledger", "fail", 1),
                new Binding("q.bad", "ledger", "bad", 1),
                new Binding("q.hold", "ledger", "hold", 1))));
        host = Host.start(HostConfig.defaults().withWorkDir(dir.resolve("work")).withCageConfigDir(dir.resolve("c")), List.of(transport));
        deploy("1.0.0");
        factory = new ActiveMQConnectionFactory("vm://0");
        client = factory.createConnection();
        client.start();
        session = client.createSession(false, Session.AUTO_ACKNOWLEDGE);
    }

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.close();
            factory.close();
        }
        if (host != null) {
            host.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    void deploy(String version) {
        DeployRecord r = host.admin().deploy(TestCages.build("ledger", version, QueueCage.class), "test");
        assertEquals(DeployRecord.Outcome.ACTIVE, r.outcome(), r.toString());
    }

    Message send(String queue, String text, Map<String, String> properties, Queue replyTo) throws Exception {
        try (MessageProducer p = session.createProducer(session.createQueue(queue))) {
            TextMessage m = session.createTextMessage(text);
            for (var e : properties.entrySet()) {
                m.setStringProperty(e.getKey(), e.getValue());
            }
            if (replyTo != null) {
                m.setJMSReplyTo(replyTo);
            }
            p.send(m);
            return m;
        }
    }

    Message receive(String queue, long timeoutMs) throws Exception {
        try (MessageConsumer c = session.createConsumer(session.createQueue(queue))) {
            return c.receive(timeoutMs);
        }
    }

    @Test
    void messageIsAcknowledgedOnlyAfterTheHandlerSucceeds() throws Exception {
        send("q.fail-twice", "{}", Map.of("n", "1"), null);

        Await.until("the third delivery succeeds", Duration.ofSeconds(10), () -> Probe.get("fail-twice.done") == 1);
        assertEquals(3, Probe.get("fail-twice.attempt"), "two failed deliveries were rolled back and redelivered");
        Await.until("the queue is empty once committed", Duration.ofSeconds(5), () -> broker.messageCount("q.fail-twice") == 0);
        assertNull(receive(EmbeddedBroker.DEAD_LETTER_ADDRESS, 100), "nothing dead-lettered");
    }

    @Test
    void messageThatKeepsFailingGoesToTheDeadLetterQueueWithTheReason() throws Exception {
        Queue replies = session.createTemporaryQueue();
        Message sent = send("q.fail", "not json", Map.of("n", "7", "tenant", "acme"), replies);

        Message dead = receive(EmbeddedBroker.DEAD_LETTER_ADDRESS, 10_000);
        assertNotNull(dead, "dead-lettered");
        assertEquals(MAX_ATTEMPTS, Probe.get("fail.attempt"), "delivered exactly maxDeliveryAttempts times");
        assertEquals("not json", ((TextMessage) dead).getText());
        assertEquals("INTERNAL", dead.getStringProperty("cagesFailureCode"));
        assertTrue(dead.getStringProperty("cagesFailure").length() > 0, dead.getStringProperty("cagesFailure"));
        assertEquals("q.fail", dead.getStringProperty("cagesOriginalQueue"));
        assertEquals(sent.getJMSMessageID(), dead.getStringProperty("cagesOriginalMessageId"));
        assertEquals("acme", dead.getStringProperty("tenant"), "the original properties are kept");
        assertEquals(MAX_ATTEMPTS, dead.getIntProperty("cagesDeliveryAttempts"));

        Message error = session.createConsumer(replies).receive(5_000);
        assertNotNull(error, "the waiting sender gets an error reply");
        assertEquals(sent.getJMSMessageID(), error.getJMSCorrelationID());
        assertEquals("INTERNAL", MAPPER.readTree(((TextMessage) error).getText()).path("error").path("code").asText());
        Await.until("the queue is empty", Duration.ofSeconds(5), () -> broker.messageCount("q.fail") == 0);
    }

    @Test
    void badRequestAndExpiredDeadlineAreDeadLetteredAtOnce() throws Exception {
        send("q.bad", "{}", Map.of("n", "1"), null);
        Message bad = receive(EmbeddedBroker.DEAD_LETTER_ADDRESS, 10_000);
        assertEquals("BAD_REQUEST", bad.getStringProperty("cagesFailureCode"));
        assertEquals("amount missing", bad.getStringProperty("cagesFailure"));
        assertEquals(1, Probe.get("bad.attempt"), "retrying a bad request cannot help");

        send("q.echo", "{}", Map.of("n", "2", "cagesDeadlineMs", Long.toString(System.currentTimeMillis() - 1)), null);
        Message late = receive(EmbeddedBroker.DEAD_LETTER_ADDRESS, 10_000);
        assertEquals("DEADLINE_EXCEEDED", late.getStringProperty("cagesFailureCode"));
        assertEquals(0, Probe.get("echo.attempt"), "a request past its deadline is never run");
    }

    /** Never Java serialization on a wire: an ObjectMessage is dead-lettered as it came, its object never read. */
    @Test
    void objectAndMapMessagesAreRefusedUnreadAndDeadLettered() throws Exception {
        Tripwire.deserialized = false;
        try (MessageProducer p = session.createProducer(session.createQueue("q.echo"))) {
            ObjectMessage object = session.createObjectMessage(new Tripwire());
            object.setStringProperty("tenant", "acme");
            p.send(object);
            MapMessage map = session.createMapMessage();
            map.setString("n", "1");
            p.send(map);
        }
        Message dead = receive(EmbeddedBroker.DEAD_LETTER_ADDRESS, 10_000);
        assertNotNull(dead, "the ObjectMessage is dead-lettered");
        assertEquals("BAD_REQUEST", dead.getStringProperty("cagesFailureCode"));
        assertEquals("queue 'q.echo' got an ObjectMessage (a Java-serialized object; cages never deserializes one); send a"
                + " TextMessage (JSON parameters, or text) or a BytesMessage", dead.getStringProperty("cagesFailure"));
        assertEquals("acme", dead.getStringProperty("tenant"), "the original properties are kept");
        assertTrue(dead instanceof ObjectMessage, "kept as it came, for whoever inspects the dead letters");
        Message deadMap = receive(EmbeddedBroker.DEAD_LETTER_ADDRESS, 10_000);
        assertNotNull(deadMap, "the MapMessage is dead-lettered");
        assertTrue(deadMap.getStringProperty("cagesFailure").startsWith("queue 'q.echo' got a MapMessage;"), deadMap.getStringProperty("cagesFailure"));
        assertEquals(0, Probe.get("echo.attempt"), "the cage never saw either");
        assertTrue(!Tripwire.deserialized, "the host never deserialized the object");

        send("q.echo", "{}", Map.of("n", "3"), null);
        Await.until("the queue serves the next message", Duration.ofSeconds(10), () -> Probe.get("echo.attempt") == 1);
    }

    /** Records whether anything deserialized it. */
    static final class Tripwire implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        static volatile boolean deserialized;

        @java.io.Serial
        private void readObject(java.io.ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
            deserialized = true;
            in.defaultReadObject();
        }
    }

    @Test
    void replyGoesToReplyToWithTheCorrelationId() throws Exception {
        Queue replies = session.createTemporaryQueue();
        Message plain = send("q.echo", "{\"amount\": 12, \"currency\": \"EUR\"}", Map.of("n", "1"), replies);
        TextMessage correlated = session.createTextMessage("{\"amount\": 3}");
        correlated.setJMSCorrelationID("order-42");
        correlated.setJMSReplyTo(replies);
        correlated.setLongProperty("cagesDeadlineMs", System.currentTimeMillis() + 10_000);
        session.createProducer(session.createQueue("q.echo")).send(correlated);

        MessageConsumer c = session.createConsumer(replies);
        TextMessage first = (TextMessage) c.receive(10_000);
        TextMessage second = (TextMessage) c.receive(10_000);
        assertNotNull(first);
        assertNotNull(second);
        assertEquals(plain.getJMSMessageID(), first.getJMSCorrelationID(), "no correlation id: the message id");
        JsonNode value = MAPPER.readTree(first.getText());
        assertEquals(12, value.path("params").path("amount").asInt(), "a JSON object body becomes the params");
        assertEquals("jms:q.echo", value.path("caller").asText());
        assertEquals("1.0.0", first.getStringProperty("cagesVersion"));
        assertEquals("order-42", second.getJMSCorrelationID(), "a correlation id is kept");
    }

    @Test
    void aMessagesTraceparentMakesItsHandlingAChildSpanAndTheReplyNamesThatSpan() throws Exception {
        Queue replies = session.createTemporaryQueue();
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        send("q.echo", "{}", Map.of("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01"), replies);
        send("q.echo", "{}", Map.of("traceparent", "not-a-traceparent"), replies);
        MessageConsumer c = session.createConsumer(replies);
        Message traced = c.receive(10_000);
        Message fresh = c.receive(10_000);
        assertNotNull(traced);
        assertNotNull(fresh);
        String reply = traced.getStringProperty("traceparent");
        assertTrue(reply.matches("00-" + traceId + "-[0-9a-f]{16}-01") && !reply.contains("00f067aa0ba902b7"), reply);
        String other = fresh.getStringProperty("traceparent");
        assertTrue(other.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01") && !other.contains(traceId), "an invalid one: a new trace, " + other);
    }

    @Test
    void cageSwapWhileConsumingLosesNoMessageAndRunsNoneTwice() throws Exception {
        int total = 500;
        List<String> ids = new ArrayList<>();
        // The first half arrives at once (one committed batch), so a backlog is queued when the swap begins.
        Session batch = client.createSession(true, Session.SESSION_TRANSACTED);
        try (MessageProducer p = batch.createProducer(batch.createQueue("q.record"))) {
            for (int i = 0; i < total; i++) {
                TextMessage m = batch.createTextMessage("{}");
                m.setStringProperty("n", Integer.toString(i));
                p.send(m);
                ids.add(m.getJMSMessageID());
                if (i == total / 2 - 1) {
                    batch.commit();
                    // Swap while the four consumers work through the backlog; later messages go to 2.0.0.
                    Await.until("1.0.0 is consuming", Duration.ofSeconds(10), () -> Probe.get("record.attempt") >= 20);
                    int handledAtSwap = Probe.get("record.attempt");
                    deploy("2.0.0");
                    assertTrue(handledAtSwap < total / 2, "messages were still queued when the swap began: " + handledAtSwap);
                }
            }
            batch.commit();
        } finally {
            batch.close();
        }
        Await.until("all " + total + " messages handled", Duration.ofSeconds(30), () -> Probe.get("record.attempt") >= total);
        Await.until("the queue is drained", Duration.ofSeconds(10), () -> broker.messageCount("q.record") == 0);
        for (int i = 0; i < total; i++) {
            assertEquals(1, Probe.get("seen." + i), "message " + i + " handled exactly once");
        }
        assertEquals(total, Probe.get("record.attempt"), "no redelivery, no duplicate");
        assertEquals(total, Probe.get("version.1.0.0") + Probe.get("version.2.0.0"));
        assertTrue(Probe.get("version.1.0.0") >= 20 && Probe.get("version.2.0.0") > 0, "both versions consumed: "
                + Probe.get("version.1.0.0") + " + " + Probe.get("version.2.0.0"));
        assertEquals(total, ids.stream().distinct().count());
    }

    @Test
    void cageAtItsLimitsMakesMessagesWaitWithoutCountingAsFailures() throws Exception {
        host.close();
        host = null;
        RefusalCounter counting = new RefusalCounter(new JmsTransport(new JmsTransportSettings(null, MAX_ATTEMPTS, 100,
                List.of(new Binding("q.slow", "ledger", "slow", 4)))));
        host = Host.start(HostConfig.defaults().withWorkDir(dir.resolve("work2")).withCageConfigDir(dir.resolve("c2"))
                .withCageLimits("ledger", new HostConfig.Limits(null, 1, 0, null, null)), List.of(counting));
        deploy("1.0.0");
        int total = 12;
        for (int i = 0; i < total; i++) {
            send("q.slow", "{}", Map.of("n", Integer.toString(i)), null);
        }
        Await.until("all handled", Duration.ofSeconds(20), () -> Probe.get("slow.attempt") == total
                && broker.messageCount("q.slow") == 0);
        assertTrue(counting.refused.get() > 0, "the cage refused some (one at a time, four consumers)");
        assertEquals(total, Probe.get("slow.delivery.1"), "every message ran on its first delivery: refusals were not rollbacks");
        for (int i = 0; i < total; i++) {
            assertEquals(1, Probe.get("seen." + i));
        }
        assertNull(receive(EmbeddedBroker.DEAD_LETTER_ADDRESS, 100));
    }

    @Test
    void shutdownLetsTheMessageInFlightFinishAndCommit() throws Exception {
        send("q.hold", "{}", Map.of("n", "1"), null);
        Await.until("the handler runs", Duration.ofSeconds(10), () -> Probe.get("hold.started") == 1);
        Host closing = host;
        host = null;
        Thread shutdown = Thread.ofVirtual().start(closing::close);
        Await.until("the host is draining", Duration.ofSeconds(5), () -> shutdown.getState() == Thread.State.WAITING
                || shutdown.getState() == Thread.State.TIMED_WAITING);
        Probe.counters().computeIfAbsent("release", k -> new AtomicInteger()).incrementAndGet();
        shutdown.join(Duration.ofSeconds(20));
        assertTrue(!shutdown.isAlive(), "host closed");
        assertEquals(1, Probe.get("hold.done"));
        assertEquals(0, broker.messageCount("q.hold"), "the finished message was committed before the transport closed");
    }

    @Test
    void sendWithTheResourceFeedsTheTransport() throws Exception {
        try (JmsResource jms = new JmsResource("out", JmsSettings.defaults())) {
            jms.send("q.record", "{}", Map.of("n", "x"), Deadline.afterMillis(5_000));
        }
        Await.until("the message is handled", Duration.ofSeconds(10), () -> Probe.get("seen.x") == 1);
    }

    /** The JMS transport with a dispatcher that counts the host's refusals, to see that some happened. */
    static final class RefusalCounter implements Transport {
        final JmsTransport inner;
        final AtomicInteger refused = new AtomicInteger();

        RefusalCounter(JmsTransport inner) {
            this.inner = inner;
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public void start(TransportContext context) throws Exception {
            Dispatcher d = context.dispatcher();
            Dispatcher counting = new Dispatcher() {
                @Override
                public String newRequestId() {
                    return d.newRequestId();
                }

                @Override
                public java.util.concurrent.CompletableFuture<io.cages.host.spi.Reply> dispatch(io.cages.host.spi.InboundRequest request) {
                    return d.dispatch(request).whenComplete((r, e) -> {
                        if (e instanceof RefusedException x && x.code() == ErrorCode.UNAVAILABLE) {
                            refused.incrementAndGet();
                        }
                    });
                }
            };
            inner.start(new TransportContext() {
                @Override
                public Dispatcher dispatcher() {
                    return counting;
                }

                @Override
                public io.cages.host.admin.Admin admin() {
                    return context.admin();
                }

                @Override
                public HostConfig config() {
                    return context.config();
                }

                @Override
                public void offerRemoteCalls(io.cages.host.spi.RemoteCalls remoteCalls) {
                    context.offerRemoteCalls(remoteCalls);
                }
            });
        }

        @Override
        public void stopAccepting() {
            inner.stopAccepting();
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
