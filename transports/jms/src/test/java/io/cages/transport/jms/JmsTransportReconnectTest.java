package io.cages.transport.jms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.host.admin.DeployRecord;
import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.testing.Await;
import io.cages.host.testing.Ports;
import io.cages.host.testing.Probe;
import io.cages.host.testing.TestCages;
import io.cages.transport.jms.JmsTransportSettings.Binding;
import io.cages.transport.jms.testcage.QueueCage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import io.cages.transport.jms.JmsTransport;
import io.cages.transport.jms.JmsTransportSettings;
import io.cages.resources.jms.EmbeddedBroker;
import io.cages.resources.jms.JmsResource;
import io.cages.resources.jms.JmsSettings;

/**
 * The JMS transport over a plain {@code tcp://} URL (no {@code reconnectAttempts} in it) while its broker is
 * stopped and, several seconds later, started again on the same port and journal. A sender on the send resource
 * keeps sending all along, each attempt with an id of its own.
 *
 * <p>Consumption must resume by itself within seconds of the broker's return; every message whose send
 * succeeded is handled, nothing else but the sends that failed ambiguously, redeliveries are bounded by the
 * messages in flight at the stop, the DLQ stays empty, and the transport logs a few lines for the outage, not a
 * line per consumer per attempt.
 */
class JmsTransportReconnectTest {

    static final String QUEUE = "q.record";
    static final int CONSUMERS = 3;
    /** How long the broker stays down: long enough for several reconnect attempts to fail. */
    static final long OUTAGE_MS = 4_500;
    /** Log lines the transport may write for one outage (it wrote 5 a second before the back-off). */
    static final int MAX_LOG_LINES_PER_OUTAGE = 5;

    @TempDir
    Path dir;
    EmbeddedBroker broker;
    Host host;
    JmsResource sender;
    final CapturedLog log = new CapturedLog(org.slf4j.Logger.ROOT_LOGGER_NAME);

    @AfterEach
    void stop() {
        log.detach();
        if (host != null) {
            host.close();
        }
        if (sender != null) {
            sender.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    @Timeout(120)
    void consumptionResumesAfterTheBrokerRestartsWithNothingLostOrDeadLettered() throws Exception {
        Probe.reset();
        Probe.counters(); // the cage counts only when the map exists
        int port = Ports.free();
        String url = "tcp://127.0.0.1:" + port;
        Path data = dir.resolve("broker");
        broker = EmbeddedBroker.start(data, 5, port, 10);
        JmsTransport transport = new JmsTransport(new JmsTransportSettings(new JmsSettings(url, null, null, 1, 1, 2_000),
                5, 100, List.of(new Binding(QUEUE, "ledger", "record", CONSUMERS))));
        host = Host.start(HostConfig.defaults().withWorkDir(dir.resolve("work")).withCageConfigDir(dir.resolve("c")), List.of(transport));
        DeployRecord r = host.admin().deploy(TestCages.build("ledger", "1.0.0", QueueCage.class), "test");
        assertEquals(DeployRecord.Outcome.ACTIVE, r.outcome(), r.toString());
        Await.until("3 consumers on the queue", Duration.ofSeconds(10), () -> broker.consumerCount(QUEUE) == CONSUMERS);
        log.attach();

        sender = new JmsResource("sender", new JmsSettings(url, null, null, 1, 2, 1_000));
        Sender s = new Sender(sender);
        Thread sending = Thread.ofVirtual().name("sender").start(s);
        Await.until("consumption under way", Duration.ofSeconds(20), () -> Probe.get("record.attempt") >= 100);

        long down = System.nanoTime();
        broker.close();
        broker = null;
        Thread.sleep(OUTAGE_MS); // the outage itself: the broker stays down this long
        int sendsFailedDuringOutage = s.failedSends.size();
        broker = EmbeddedBroker.start(data, 5, port, 10);
        long back = System.nanoTime();
        int handledAtReturn = Probe.get("record.attempt");
        int sentAtReturn = s.sent.size();

        Await.until("consumption resumes", Duration.ofSeconds(20), () -> Probe.get("record.attempt") > handledAtReturn);
        long resumedMs = (System.nanoTime() - back) / 1_000_000;
        EmbeddedBroker b = broker;
        Await.until("all consumers are back", Duration.ofSeconds(20), () -> b.consumerCount(QUEUE) == CONSUMERS);
        long consumersBackMs = (System.nanoTime() - back) / 1_000_000;
        Await.until("the sender sends again", Duration.ofSeconds(20), () -> s.sent.size() >= sentAtReturn + 200);
        s.running.set(false);
        sending.join(Duration.ofSeconds(10));
        assertTrue(!sending.isAlive(), "sender ended");

        Set<Integer> sent = new TreeSet<>(s.sent);
        Await.until("every message sent is handled and the queue is empty", Duration.ofSeconds(30),
                () -> handled().keySet().containsAll(sent) && b.messageCount(QUEUE) == 0);
        Map<Integer, Integer> handled = handled();
        Set<Integer> unexpected = new TreeSet<>(handled.keySet());
        unexpected.removeAll(sent);
        unexpected.removeAll(s.failedSends); // a send that failed may still have reached the journal
        int redelivered = handled.values().stream().mapToInt(n -> n - 1).sum();
        long linesForOutage = log.lines(down).stream().filter(l -> l.startsWith("io.cages")).count();

        System.out.printf("broker down %d ms; consumption resumed %d ms after the broker was back, all %d consumers back after "
                        + "%d ms; %d messages sent (%d sends failed during the outage), %d handled, %d handled twice; "
                        + "DLQ %d; log lines since the stop: %d from the transport%n",
                OUTAGE_MS, resumedMs, CONSUMERS, consumersBackMs, sent.size(), sendsFailedDuringOutage, handled.size(), redelivered,
                b.messageCount(EmbeddedBroker.DEAD_LETTER_ADDRESS), linesForOutage);
        log.lines(down).forEach(l -> System.out.println("  log: " + l));

        assertTrue(resumedMs < 10_000, "consumption resumed within seconds of the broker's return: " + resumedMs + " ms");
        assertTrue(sendsFailedDuringOutage > 0, "the sends really hit the outage");
        assertTrue(s.sent.stream().anyMatch(n -> n > sentAtReturn), "messages were sent after the outage");
        assertEquals(Set.of(), unexpected, "nothing handled that was not sent");
        assertTrue(redelivered <= CONSUMERS, "only messages in flight at the stop are handled again: " + redelivered);
        assertEquals(0, b.messageCount(EmbeddedBroker.DEAD_LETTER_ADDRESS), "nothing dead-lettered by the outage");
        assertTrue(linesForOutage >= 1, "the outage is logged");
        assertTrue(linesForOutage <= MAX_LOG_LINES_PER_OUTAGE, "the outage logged " + linesForOutage + " lines: " + log.lines(down));
    }

    /** Handled message ids (the {@code n} property) with how often each was handled. */
    static Map<Integer, Integer> handled() {
        return Probe.counters().entrySet().stream().filter(e -> e.getKey().startsWith("seen."))
                .collect(Collectors.toMap(e -> Integer.parseInt(e.getKey().substring(5)), e -> e.getValue().get()));
    }

    /** Sends messages with ids 0, 1, ... (a fresh id per attempt) through the send resource until told to stop. */
    static final class Sender implements Runnable {
        final JmsResource resource;
        final AtomicBoolean running = new AtomicBoolean(true);
        final Set<Integer> sent = ConcurrentHashMap.newKeySet();
        final Set<Integer> failedSends = ConcurrentHashMap.newKeySet();
        final AtomicInteger next = new AtomicInteger();

        Sender(JmsResource resource) {
            this.resource = resource;
        }

        @Override
        public void run() {
            while (running.get()) {
                int n = next.getAndIncrement();
                try {
                    resource.send(QUEUE, "{}", Map.of("n", Integer.toString(n)), Deadline.afterMillis(2_000));
                    sent.add(n);
                    Thread.sleep(5); // pacing: about 150 messages a second, enough to be seen, light on a shared CPU
                } catch (CageException e) {
                    failedSends.add(n);
                    try {
                        Thread.sleep(50); // retry pace while the broker is away
                    } catch (InterruptedException x) {
                        return;
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }
}
