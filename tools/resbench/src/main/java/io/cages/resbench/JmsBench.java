package io.cages.resbench;

import io.cages.api.Deadline;
import io.cages.resources.jms.EmbeddedBroker;
import io.cages.resources.jms.JmsResource;
import io.cages.resources.jms.JmsSettings;
import io.cages.resources.jms.JmsSettings.Delivery;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.jms.BytesMessage;
import javax.jms.Connection;
import javax.jms.JMSException;
import javax.jms.Message;
import javax.jms.MessageConsumer;
import javax.jms.MessageProducer;
import javax.jms.Queue;
import javax.jms.Session;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/**
 * JMS send+receive on one embedded Artemis broker: senders through {@link JmsResource#send} against senders
 * on the raw Artemis javax.jms client configured as a tuned raw user would: the same number of connections, one
 * session and one anonymous producer per sender thread, created once, and the destination looked up once per
 * thread per queue (Artemis's {@code Session.createQueue} asks the broker whether the queue exists each time
 * unless the factory caches destinations, and the resource caches it too). Both sides send the same body size
 * with the same delivery mode, persistent (blocking: the journal bounds both) or non-persistent (Artemis sends
 * those without waiting for the broker, so the client's own cost shows). One consumer, on the raw client for
 * both, receives every message of the round; the round's rate is messages sent / time until the consumer had
 * them all.
 */
final class JmsBench {

    private static final AtomicInteger QUEUES = new AtomicInteger();
    private static final String RAW = "raw Artemis client";
    private static final String RESOURCE = "JmsResource.send(deadline)";

    private JmsBench() {
    }

    static void run(Path dataDir, int tcpPort, int threads, double seconds, int rounds, int bodyBytes, long deadlineMs,
                    List<Delivery> modes) throws Exception {
        byte[] body = new byte[bodyBytes];
        java.util.Arrays.fill(body, (byte) 'x');
        try (EmbeddedBroker broker = EmbeddedBroker.start(dataDir, 0, tcpPort, 100)) {
            List<String> urls = new ArrayList<>(List.of(broker.inVmUrl()));
            if (tcpPort > 0) {
                urls.add("tcp://127.0.0.1:" + tcpPort);
            }
            for (Delivery mode : modes) {
                for (String url : urls) {
                    runOne(url, mode, threads, seconds, rounds, body, deadlineMs);
                }
            }
        }
    }

    private static void runOne(String url, Delivery mode, int threads, double seconds, int rounds, byte[] body, long deadlineMs)
            throws Exception {
        System.out.printf("%nJMS on %s: embedded Artemis (persistent journal), %d sender virtual threads on 2 connections, "
                        + "%d-byte BytesMessage, %s sends (%s), 1 consumer, %d rounds of %.0f s%n",
                url, threads, body.length, mode.key(), mode == Delivery.PERSISTENT ? "blocking" : "not waiting for the broker",
                rounds, seconds);
        // The resource's factory gets a call timeout and blocking durable sends; the raw one the same.
        JmsSettings settings = new JmsSettings(url, null, null, 2, Math.max(16, threads), 5_000, mode);
        ActiveMQConnectionFactory rawFactory = new ActiveMQConnectionFactory(url);
        rawFactory.setBlockOnDurableSend(true);
        rawFactory.setCallTimeout(5_000);
        ActiveMQConnectionFactory consumerFactory = new ActiveMQConnectionFactory(url);
        try (JmsResource resource = new JmsResource("bench", settings);
             Connection raw1 = rawFactory.createConnection();
             Connection raw2 = rawFactory.createConnection();
             Connection consumerConnection = consumerFactory.createConnection()) {
            consumerConnection.start();
            RawSender[] raw = new RawSender[threads];
            for (int t = 0; t < threads; t++) {
                raw[t] = new RawSender((t % 2 == 0 ? raw1 : raw2).createSession(false, Session.AUTO_ACKNOWLEDGE), mode.jms());
            }
            // The senders' own rate too: end to end, one consumer may set the pace for both when sends do not wait.
            Map<String, List<Load.Result>> sendSide = new LinkedHashMap<>();
            sendSide.put(RAW, new ArrayList<>());
            sendSide.put(RESOURCE, new ArrayList<>());
            new Rounds()
                    .add(RAW, () -> round(consumerConnection, threads, seconds, sendSide.get(RAW),
                            (queue, t) -> raw[t].send(queue, body)))
                    .add(RESOURCE, () -> round(consumerConnection, threads, seconds, sendSide.get(RESOURCE),
                            (queue, t) -> resource.send(queue, body, Map.of(), Deadline.afterMillis(deadlineMs))))
                    .run(rounds)
                    .print("JMS send+receive, " + mode.key() + ", " + url + " (until the consumer had every message):", "msgs/s", RAW);
            if (mode == Delivery.NON_PERSISTENT) { // persistent sends block until the broker has them: the same figures
                Rounds.recorded(sendSide).print("  the same rounds, senders only (sends / time the senders ran; CPU while they ran):",
                        "sends/s", RAW);
            }
            System.out.printf("  sessions leased after the run: %d, connections: %d%n",
                    resource.leasedSessions(), resource.openConnections());
        } finally {
            rawFactory.close();
            consumerFactory.close();
        }
    }

    /** One raw sender thread's session, anonymous producer and destination, each made once and reused. */
    private static final class RawSender {
        private final Session session;
        private final MessageProducer producer;
        private final int deliveryMode;
        private String queueName;
        private Queue queue;

        RawSender(Session session, int deliveryMode) throws JMSException {
            this.session = session;
            this.producer = session.createProducer(null);
            this.deliveryMode = deliveryMode;
        }

        void send(String name, byte[] body) throws JMSException {
            if (!name.equals(queueName)) { // a new round's queue: looked up once
                queue = session.createQueue(name);
                queueName = name;
            }
            BytesMessage m = session.createBytesMessage();
            m.writeBytes(body);
            producer.send(queue, m, deliveryMode, Message.DEFAULT_PRIORITY, Message.DEFAULT_TIME_TO_LIVE);
        }
    }

    @FunctionalInterface
    private interface Send {
        void send(String queue, int thread) throws Exception;
    }

    /**
     * One round on a fresh queue: the consumer starts first; senders run for {@code seconds}; then we wait until
     * the consumer has every message. Send latencies are the senders'; the rate is end to end.
     */
    private static Load.Result round(Connection consumerConnection, int threads, double seconds, List<Load.Result> sendSide, Send send)
            throws Exception {
        String queue = "bench." + QUEUES.incrementAndGet();
        AtomicLong received = new AtomicLong();
        AtomicLong lastReceive = new AtomicLong();
        Session cs = consumerConnection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer consumer = cs.createConsumer(cs.createQueue(queue));
        Thread reader = Thread.ofPlatform().name("consumer-" + queue).start(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Message m = consumer.receive(100);
                    if (m != null) {
                        received.incrementAndGet();
                        lastReceive.set(System.nanoTime());
                    }
                }
            } catch (Exception e) {
                // interrupted or closed at the end of the round
            }
        });
        long cpuStart = Load.processCpuNanos();
        long start = System.nanoTime();
        Load.Result sent = Load.run(threads, seconds, t -> send.send(queue, t));
        long waitUntil = System.nanoTime() + 60_000_000_000L;
        while (received.get() < sent.calls() && System.nanoTime() < waitUntil) {
            Thread.sleep(5);
        }
        long cpu = Load.processCpuNanos() - cpuStart; // the senders', the broker's and the consumer's
        reader.interrupt();
        reader.join();
        consumer.close();
        cs.close();
        long got = received.get();
        if (got < sent.calls()) {
            throw new IllegalStateException(queue + ": consumer got " + got + " of " + sent.calls() + " messages");
        }
        sendSide.add(sent);
        double endToEnd = (lastReceive.get() - start) / 1e9;
        return new Load.Result(sent.calls(), Math.max(endToEnd, sent.seconds()), sent.p50Ms(), sent.p99Ms(), sent.errors(),
                sent.firstError(), cpu / 1e3 / sent.calls());
    }
}
