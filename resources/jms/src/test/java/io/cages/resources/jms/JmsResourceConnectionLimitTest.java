package io.cages.resources.jms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.api.Deadline;
import io.cages.host.testing.Await;
import io.cages.host.testing.Ports;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: concurrent first sends on a fresh resource each opened a connection of their own, beyond
 * {@code maxConnections}. Over TCP (opening a connection takes long enough for the race to show) 32 virtual
 * threads send at once on fresh resources with 2 connections of 4 sessions; the connection count is sampled
 * before and after every send and by a watcher thread all along, and must never pass 2.
 */
class JmsResourceConnectionLimitTest {

    private static final int MAX_CONNECTIONS = 2;
    private static final int SESSIONS_PER_CONNECTION = 4;
    private static final int SENDERS = 32;
    private static final int ROUNDS = 5;

    @TempDir
    Path dir;
    EmbeddedBroker broker;
    String tcpUrl;

    @BeforeEach
    void start() throws Exception {
        int port = Ports.free();
        broker = EmbeddedBroker.start(dir.resolve("broker"), 0, port, 10);
        tcpUrl = "tcp://127.0.0.1:" + port;
    }

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    @Timeout(120)
    void racingFirstSendsNeverOpenMoreThanMaxConnections() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            String queue = "q.race." + round;
            ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
            AtomicInteger maxSeen = new AtomicInteger();
            try (JmsResource jms = new JmsResource("race", new JmsSettings(tcpUrl, null, null,
                    MAX_CONNECTIONS, SESSIONS_PER_CONNECTION, 5_000))) {
                AtomicBoolean racing = new AtomicBoolean(true);
                Thread watcher = Thread.ofPlatform().name("connection-watcher").start(() -> {
                    while (racing.get()) {
                        observe(jms, "watcher", violations, maxSeen);
                        Thread.onSpinWait();
                    }
                });
                CountDownLatch go = new CountDownLatch(1);
                List<Future<String>> sends = new ArrayList<>();
                try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
                    for (int i = 0; i < SENDERS; i++) {
                        int n = i;
                        sends.add(senders.submit(() -> {
                            go.await();
                            observe(jms, "before send " + n, violations, maxSeen);
                            String id = jms.send(queue, "m" + n, null, Deadline.afterMillis(20_000));
                            observe(jms, "after send " + n, violations, maxSeen);
                            return id;
                        }));
                    }
                    go.countDown();
                    for (Future<String> f : sends) {
                        f.get(60, TimeUnit.SECONDS); // a failed send fails the test with its cause
                    }
                } finally {
                    racing.set(false);
                    watcher.join();
                }
                observe(jms, "at the end", violations, maxSeen);
                assertNull(violations.peek(), "round " + round + ": more than " + MAX_CONNECTIONS
                        + " connections open (max seen " + maxSeen.get() + "): " + violations);
                assertTrue(jms.openConnections() >= 1 && jms.openConnections() <= MAX_CONNECTIONS,
                        "connections at the end: " + jms.openConnections());
                assertEquals(0, jms.leasedSessions(), "every session went back");
            }
            int r = round;
            Await.until("the broker has all " + SENDERS + " messages of round " + r, Duration.ofSeconds(10),
                    () -> broker.messageCount(queue) == SENDERS);
        }
    }

    private static void observe(JmsResource jms, String where, ConcurrentLinkedQueue<String> violations, AtomicInteger maxSeen) {
        int open = jms.openConnections();
        maxSeen.accumulateAndGet(open, Math::max);
        if (open > MAX_CONNECTIONS && violations.size() < 10) { // the first few are enough to read
            violations.add(where + ": " + open);
        }
    }
}
