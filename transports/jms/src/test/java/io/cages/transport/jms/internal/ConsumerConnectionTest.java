package io.cages.transport.jms.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.host.testing.Await;
import io.cages.transport.jms.CapturedLog;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.jms.Connection;
import javax.jms.ConnectionFactory;
import javax.jms.ExceptionListener;
import javax.jms.JMSException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import io.cages.transport.jms.internal.ConsumerConnection;

/**
 * {@link ConsumerConnection} alone, on a fake connection factory whose broker can be switched off: one connection
 * attempt at a time however many loops wait, attempts spaced by the back-off, a long outage logged at its two
 * ends plus rare reminders, and loops waiting for the broker released at once by stop().
 */
class ConsumerConnectionTest {

    final FakeBroker broker = new FakeBroker();
    final CapturedLog log = new CapturedLog(ConsumerConnection.class.getName()).attach();

    @AfterEach
    void detach() {
        log.detach();
    }

    @Test
    @Timeout(30)
    void aLongOutageIsOneAttemptAtATimeWithBackoffAndFewLogLines() throws Exception {
        long initialMs = 2;
        long maxMs = 16;
        Duration reminder = Duration.ofMillis(300);
        ConsumerConnection connections = new ConsumerConnection(broker.factory(), "fake://broker", initialMs, maxMs, reminder);
        connections.open();
        Connection first = connections.await();
        assertNotNull(first);

        broker.up.set(false);
        broker.listeners.get(first).onException(new JMSException("gone", "DISCONNECT"));
        long down = System.nanoTime();
        List<Connection> got = new CopyOnWriteArrayList<>();
        List<Thread> loops = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            loops.add(Thread.ofVirtual().start(() -> got.add(connections.await())));
        }
        Await.until("40 failed attempts", Duration.ofSeconds(20), () -> broker.refused.get() >= 40);
        broker.up.set(true);
        for (Thread t : loops) {
            t.join(Duration.ofSeconds(5));
        }
        long outageMs = (System.nanoTime() - down) / 1_000_000;
        int attempts = broker.refused.get();

        assertEquals(4, got.size(), "every waiting loop got the new connection");
        Connection second = got.get(0);
        assertNotSame(first, second);
        got.forEach(c -> assertSame(second, c, "one new connection, shared"));
        assertEquals(1, broker.maxConcurrentAttempts.get(), "one connection attempt at a time");
        assertTrue(broker.closed.contains(first), "the lost connection was closed");
        // Each wait is at least 4/5 of its back-off step (jitter), so attempts can only be rarer than this, never denser.
        long densest = outageMs / (maxMs * 4 / 5) + 8;
        assertTrue(attempts <= densest, attempts + " attempts in " + outageMs + " ms: the back-off allows at most " + densest);

        connections.confirmed(second);
        connections.confirmed(second); // every loop confirms; only the first ends the outage
        List<String> lines = log.lines();
        System.out.printf("outage %d ms, %d attempts, %d log lines: %s%n", outageMs, attempts, lines.size(), lines);
        assertEquals(1, lines.stream().filter(l -> l.contains(" WARN ") && l.contains("lost")).count(), lines.toString());
        assertEquals(1, lines.stream().filter(l -> l.contains(" INFO ") && l.contains("reconnected")).count(), lines.toString());
        long reminders = lines.stream().filter(l -> l.contains("still no connection")).count();
        assertTrue(reminders <= outageMs / reminder.toMillis() + 1, reminders + " reminders in " + outageMs + " ms");
        assertEquals(2 + reminders, lines.size(), "nothing else is logged: " + lines);
        connections.close();
        assertTrue(broker.closed.contains(second));
    }

    @Test
    @Timeout(30)
    void aLossReportedByEveryLoopAndTheProviderReplacesTheConnectionOnce() throws Exception {
        ConsumerConnection connections = new ConsumerConnection(broker.factory(), "fake://broker", 1, 1, Duration.ofMinutes(1));
        connections.open();
        Connection first = connections.await();
        broker.listeners.get(first).onException(new JMSException("gone", "DISCONNECT"));
        connections.lost(first, new JMSException("AMQ219010: Connection is destroyed"));
        connections.lost(first, new JMSException("AMQ219010: Connection is destroyed"));
        Connection second = connections.await();
        connections.lost(first, new JMSException("late report of the old one"));
        assertSame(second, connections.await(), "a late report about the old connection leaves the new one alone");
        assertEquals(2, broker.opened.get());
        broker.listeners.get(second).onException(new JMSException("reconnected by itself", "FAILOVER"));
        assertSame(second, connections.await(), "FAILOVER means the provider reconnected: the connection still works");
        connections.close();
    }

    @Test
    @Timeout(30)
    void stopReleasesLoopsWaitingForTheBrokerAtOnce() throws Exception {
        ConsumerConnection connections = new ConsumerConnection(broker.factory(), "fake://broker", 10_000, 10_000, Duration.ofMinutes(1));
        connections.open();
        Connection first = connections.await();
        broker.up.set(false);
        connections.lost(first, new JMSException("gone"));
        AtomicReference<Optional<Connection>> result = new AtomicReference<>();
        Thread loop = Thread.ofVirtual().start(() -> result.set(Optional.ofNullable(connections.await())));
        Await.until("the loop waits out the back-off", Duration.ofSeconds(5), () -> loop.getState() == Thread.State.TIMED_WAITING);
        long stop = System.nanoTime();
        connections.stop();
        loop.join(Duration.ofSeconds(5));
        long ms = (System.nanoTime() - stop) / 1_000_000;
        assertEquals(Optional.empty(), result.get(), "await returned no connection: stopping");
        assertTrue(ms < 2_000, "released at once, not after the 10 s back-off: " + ms + " ms");
        assertEquals(0, broker.refused.get(), "no attempt during the back-off");
        assertNull(connections.await());
        connections.close();
    }

    /** A connection factory whose connections are proxies; it refuses while {@code up} is false. */
    static final class FakeBroker {
        final AtomicBoolean up = new AtomicBoolean(true);
        final AtomicInteger opened = new AtomicInteger();
        final AtomicInteger refused = new AtomicInteger();
        final AtomicInteger attempting = new AtomicInteger();
        final AtomicInteger maxConcurrentAttempts = new AtomicInteger();
        final java.util.Map<Connection, ExceptionListener> listeners = new ConcurrentHashMap<>();
        final java.util.Set<Connection> closed = ConcurrentHashMap.newKeySet();

        ConnectionFactory factory() {
            return (ConnectionFactory) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ConnectionFactory.class},
                    (proxy, method, args) -> {
                        if (!method.getName().equals("createConnection")) {
                            throw new UnsupportedOperationException(method.getName());
                        }
                        int now = attempting.incrementAndGet();
                        maxConcurrentAttempts.accumulateAndGet(now, Math::max);
                        try {
                            Thread.sleep(1); // an attempt takes a moment, so overlapping attempts would show
                            if (!up.get()) {
                                refused.incrementAndGet();
                                throw new JMSException("Connection refused");
                            }
                            opened.incrementAndGet();
                            return connection();
                        } finally {
                            attempting.decrementAndGet();
                        }
                    });
        }

        private Connection connection() {
            Connection[] self = new Connection[1];
            self[0] = (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "setExceptionListener" -> {
                            listeners.put(self[0], (ExceptionListener) args[0]);
                            yield null;
                        }
                        case "start" -> null;
                        case "close" -> {
                            closed.add(self[0]);
                            yield null;
                        }
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        case "toString" -> "fake-connection@" + Integer.toHexString(System.identityHashCode(proxy));
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
            return self[0];
        }
    }
}
