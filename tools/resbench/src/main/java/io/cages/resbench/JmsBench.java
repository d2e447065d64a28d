package io.cages.resbench;

import io.cages.api.Deadline;
import io.cages.resources.jms.EmbeddedBroker;
import io.cages.resources.jms.JmsResource;
import io.cages.resources.jms.JmsSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.jms.BytesMessage;
import javax.jms.Connection;
import javax.jms.DeliveryMode;
import javax.jms.Message;
import javax.jms.MessageConsumer;
import javax.jms.MessageProducer;
import javax.jms.Session;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/**
 * JMS send+receive on one embedded Artemis broker: senders through {@link JmsResource#send} against senders
 * on the raw Artemis javax.jms client (same number of connections, one session and producer per sender thread,
 * persistent blocking sends, same body size). One consumer, on the raw client for both, receives every message
 * of the round; the round's rate is messages sent / time until the consumer had them all.
 */
final class JmsBench {

    private static final AtomicInteger QUEUES = new AtomicInteger();

    private JmsBench() {
    }

    static void run(Path dataDir, int tcpPort, int threads, double seconds, int rounds, int bodyBytes, long deadlineMs)
            throws Exception {
        byte[] body = new byte[bodyBytes];
        java.util.Arrays.fill(body, (byte) 'x');
        try (EmbeddedBroker broker = EmbeddedBroker.start(dataDir, 0, tcpPort, 100)) {
            List<String> urls = new ArrayList<>(List.of(broker.inVmUrl()));
            if (tcpPort > 0) {
                urls.add("tcp://127.0.0.1:" + tcpPort);
            }
            for (String url : urls) {
                System.out.printf("%nJMS on %s: embedded Artemis (persistent journal), %d sender virtual threads on 2 connections, "
                        + "%d-byte BytesMessage, persistent blocking sends, 1 consumer, %d rounds of %.0f s%n",
                        url, threads, bodyBytes, rounds, seconds);
                JmsSettings settings = new JmsSettings(url, null, null, 2, Math.max(16, threads), 5_000);
                ActiveMQConnectionFactory rawFactory = new ActiveMQConnectionFactory(url);
                rawFactory.setBlockOnDurableSend(true);
                rawFactory.setCallTimeout(5_000);
                ActiveMQConnectionFactory consumerFactory = new ActiveMQConnectionFactory(url);
                try (JmsResource resource = new JmsResource("bench", settings);
                     Connection raw1 = rawFactory.createConnection();
                     Connection raw2 = rawFactory.createConnection();
                     Connection consumerConnection = consumerFactory.createConnection()) {
                    consumerConnection.start();
                    Session[] sessions = new Session[threads];
                    MessageProducer[] producers = new MessageProducer[threads];
                    for (int t = 0; t < threads; t++) {
                        sessions[t] = (t % 2 == 0 ? raw1 : raw2).createSession(false, Session.AUTO_ACKNOWLEDGE);
                        producers[t] = sessions[t].createProducer(null);
                    }
                    new Rounds()
                            .add("raw Artemis client", () -> round(consumerConnection, threads, seconds, (queue, t) -> {
                                BytesMessage m = sessions[t].createBytesMessage();
                                m.writeBytes(body);
                                producers[t].send(sessions[t].createQueue(queue), m, DeliveryMode.PERSISTENT,
                                        Message.DEFAULT_PRIORITY, Message.DEFAULT_TIME_TO_LIVE);
                            }))
                            .add("JmsResource.send(deadline)", () -> round(consumerConnection, threads, seconds,
                                    (queue, t) -> resource.send(queue, body, Map.of(), Deadline.afterMillis(deadlineMs))))
                            .run(rounds)
                            .print("JMS send+receive, " + url + ":", "msgs/s", "raw Artemis client");
                    System.out.printf("  sessions leased after the run: %d, connections: %d%n",
                            resource.leasedSessions(), resource.openConnections());
                } finally {
                    rawFactory.close();
                    consumerFactory.close();
                }
            }
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
    private static Load.Result round(Connection consumerConnection, int threads, double seconds, Send send) throws Exception {
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
        long start = System.nanoTime();
        Load.Result sent = Load.run(threads, seconds, t -> send.send(queue, t));
        long waitUntil = System.nanoTime() + 60_000_000_000L;
        while (received.get() < sent.calls() && System.nanoTime() < waitUntil) {
            Thread.sleep(5);
        }
        reader.interrupt();
        reader.join();
        consumer.close();
        cs.close();
        long got = received.get();
        if (got < sent.calls()) {
            throw new IllegalStateException(queue + ": consumer got " + got + " of " + sent.calls() + " messages");
        }
        double endToEnd = (lastReceive.get() - start) / 1e9;
        return new Load.Result(sent.calls(), Math.max(endToEnd, sent.seconds()), sent.p50Ms(), sent.p99Ms(), sent.errors(), sent.firstError());
    }
}
