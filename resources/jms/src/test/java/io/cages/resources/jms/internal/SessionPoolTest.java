package io.cages.resources.jms.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.api.ErrorCode;
import io.cages.host.testing.Await;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.jms.Connection;
import javax.jms.ConnectionFactory;
import javax.jms.ExceptionListener;
import javax.jms.JMSException;
import javax.jms.MessageProducer;
import javax.jms.Session;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pool's limits and failure paths against a fake JMS provider whose connections take a while to open
 * (so that concurrent callers really overlap) and which counts what is open at any time.
 */
@Timeout(60)
class SessionPoolTest {

    /** A provider that counts open connections and sessions and can be told to fail. */
    static final class FakeJms {
        final AtomicInteger openConnections = new AtomicInteger();
        final AtomicInteger maxOpenConnections = new AtomicInteger();
        final AtomicInteger connectionsCreated = new AtomicInteger();
        final AtomicInteger maxSessionsOnOne = new AtomicInteger();
        final List<FakeConnection> connections = new CopyOnWriteArrayList<>();
        volatile long openMillis = 50;
        volatile boolean refuseConnections;
        volatile CountDownLatch openGate; // when set, opening waits for it

        ConnectionFactory factory() {
            return (ConnectionFactory) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ConnectionFactory.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "createConnection" -> open();
                        case "toString" -> "FakeJms";
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
        }

        private Connection open() throws Exception {
            CountDownLatch gate = openGate;
            if (gate != null && !gate.await(20, TimeUnit.SECONDS)) {
                throw new JMSException("gate not opened (fake)");
            }
            Thread.sleep(openMillis);
            if (refuseConnections) {
                throw new JMSException("connection refused (fake)");
            }
            connectionsCreated.incrementAndGet();
            maxOpenConnections.accumulateAndGet(openConnections.incrementAndGet(), Math::max);
            FakeConnection c = new FakeConnection(this);
            connections.add(c);
            return c.proxy;
        }
    }

    static final class FakeConnection {
        final FakeJms jms;
        final AtomicInteger openSessions = new AtomicInteger();
        final Connection proxy;
        volatile ExceptionListener listener;
        volatile boolean closed;
        volatile boolean failSessions;

        FakeConnection(FakeJms jms) {
            this.jms = jms;
            this.proxy = (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                    (p, method, args) -> switch (method.getName()) {
                        case "setExceptionListener" -> {
                            listener = (ExceptionListener) args[0];
                            yield null;
                        }
                        case "createSession" -> createSession();
                        case "close" -> {
                            close();
                            yield null;
                        }
                        case "toString" -> "FakeConnection";
                        case "hashCode" -> System.identityHashCode(p);
                        case "equals" -> p == args[0];
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
        }

        private synchronized void close() {
            if (!closed) {
                closed = true;
                jms.openConnections.decrementAndGet();
            }
        }

        private Session createSession() throws JMSException {
            if (closed || failSessions) {
                throw new JMSException("cannot create a session (fake)");
            }
            jms.maxSessionsOnOne.accumulateAndGet(openSessions.incrementAndGet(), Math::max);
            boolean[] sessionClosed = {false};
            MessageProducer producer = (MessageProducer) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {MessageProducer.class}, (p, method, args) -> null);
            return (Session) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Session.class},
                    (p, method, args) -> switch (method.getName()) {
                        case "createProducer" -> producer;
                        case "close" -> {
                            synchronized (sessionClosed) {
                                if (!sessionClosed[0]) {
                                    sessionClosed[0] = true;
                                    openSessions.decrementAndGet();
                                }
                            }
                            yield null;
                        }
                        case "toString" -> "FakeSession";
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
        }

        void fail() {
            listener.onException(new JMSException("connection lost (fake)", "DISCONNECT"));
        }
    }

    private static Deadline seconds(int s) {
        return Deadline.afterMillis(s * 1_000L);
    }

    /** Starts {@code n} callers together, each acquiring one session and keeping it until {@code hold} opens. */
    private static List<Future<PooledSession>> racing(ExecutorService threads, SessionPool pool, int n, Deadline deadline) {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<PooledSession>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(threads.submit(() -> {
                go.await();
                return pool.acquire(false, deadline);
            }));
        }
        go.countDown();
        return out;
    }

    @Test
    void concurrentFirstTakesOpenAtMostMaxConnectionsAndShareTheOnesBeingOpened() throws Exception {
        FakeJms jms = new FakeJms();
        SessionPool pool = new SessionPool("race", jms.factory(), 2, 4);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<PooledSession>> all = racing(threads, pool, 8, seconds(10));
            List<PooledSession> sessions = new ArrayList<>();
            for (Future<PooledSession> f : all) {
                sessions.add(f.get(10, TimeUnit.SECONDS));
            }
            assertEquals(2, jms.connectionsCreated.get(), "8 sessions of 4 per connection: exactly 2 connections opened");
            assertEquals(2, jms.maxOpenConnections.get());
            assertEquals(4, jms.maxSessionsOnOne.get(), "the 8 sessions are spread 4 and 4");
            assertEquals(2, pool.openConnections());
            assertEquals(8, pool.leased());
            sessions.forEach(pool::release);
        }
        assertEquals(0, pool.leased());

        // Many more callers than sessions, holding and giving back: the limits hold all along.
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                boolean transacted = i % 3 == 0;
                all.add(threads.submit(() -> {
                    PooledSession s = pool.acquire(transacted, seconds(10));
                    try {
                        Thread.sleep(1);
                    } finally {
                        pool.release(s);
                    }
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get(10, TimeUnit.SECONDS);
            }
        }
        assertEquals(2, jms.connectionsCreated.get());
        assertTrue(jms.maxSessionsOnOne.get() <= 4, "sessions on one connection: " + jms.maxSessionsOnOne.get());
        assertEquals(0, pool.leased());
        pool.close();
        assertEquals(0, jms.openConnections.get(), "closing the pool closed every connection");
    }

    @Test
    void aConnectionThatCannotBeOpenedFailsEveryoneWaitingForItAndLeaksNothing() throws Exception {
        FakeJms jms = new FakeJms();
        jms.refuseConnections = true;
        jms.openMillis = 100;
        try (SessionPool pool = new SessionPool("refused", jms.factory(), 2, 4);
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Future<PooledSession> f : racing(threads, pool, 16, seconds(10))) {
                var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
                CageException cause = (CageException) e.getCause();
                assertEquals(ErrorCode.UNAVAILABLE, cause.code());
                assertTrue(cause.getMessage().contains("'refused'") && cause.getMessage().contains("connection refused (fake)"),
                        cause.getMessage());
            }
            assertEquals(0, pool.leased());
            assertEquals(0, pool.openConnections());

            // Nothing was leaked: every one of the 8 sessions can be had once the broker is back.
            jms.refuseConnections = false;
            List<PooledSession> sessions = new ArrayList<>();
            for (Future<PooledSession> f : racing(threads, pool, 8, seconds(10))) {
                sessions.add(f.get(10, TimeUnit.SECONDS));
            }
            assertEquals(2, jms.connectionsCreated.get());
            assertEquals(2, pool.openConnections());
            sessions.forEach(pool::release);
            assertEquals(0, pool.leased());
        }
    }

    @Test
    void aWaiterWhoseDeadlinePassesWhileTheConnectionOpensGivesItsClaimBack() throws Exception {
        FakeJms jms = new FakeJms();
        jms.openGate = new CountDownLatch(1);
        try (SessionPool pool = new SessionPool("slow", jms.factory(), 1, 4);
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<PooledSession> opener = threads.submit(() -> pool.acquire(false, seconds(10)));
            Await.until("the opener reserved the connection", Duration.ofSeconds(5), () -> pool.leased() == 1);
            long t0 = System.nanoTime();
            CageException e = assertThrows(CageException.class, () -> pool.acquire(false, Deadline.afterMillis(200)));
            long tookMs = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(ErrorCode.DEADLINE_EXCEEDED, e.code());
            assertTrue(tookMs >= 150 && tookMs < 2_000, "waited " + tookMs + " ms for a 200 ms deadline");
            assertEquals(1, pool.leased(), "only the opener's claim is left");

            jms.openGate.countDown();
            PooledSession s = opener.get(10, TimeUnit.SECONDS);
            assertEquals(1, jms.connectionsCreated.get());
            pool.release(s);
            assertEquals(0, pool.leased());
            // All 4 permits are there.
            List<PooledSession> four = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                four.add(pool.acquire(false, Deadline.afterMillis(1_000)));
            }
            four.forEach(pool::release);
            assertEquals(1, jms.connectionsCreated.get());
        }
    }

    @Test
    void aLostConnectionFreesItsSlotAtOnceAndIsClosed() throws Exception {
        FakeJms jms = new FakeJms();
        jms.openMillis = 0;
        try (SessionPool pool = new SessionPool("lost", jms.factory(), 1, 4)) {
            PooledSession lent = pool.acquire(false, seconds(5));
            PooledSession idle = pool.acquire(false, seconds(5));
            pool.release(idle);
            FakeConnection first = jms.connections.get(0);

            first.fail();
            assertEquals(0, pool.openConnections(), "the lost connection left the pool");
            assertTrue(first.closed, "and was closed");

            PooledSession fresh = pool.acquire(false, seconds(5));
            assertEquals(2, jms.connectionsCreated.get(), "a new connection replaced it");
            assertNotSame(lent.connection, fresh.connection);
            assertEquals(1, pool.openConnections());
            assertEquals(1, jms.openConnections.get(), "never more than one open");

            pool.release(lent); // a session of the lost connection is closed, not kept
            pool.release(fresh);
            assertEquals(0, pool.leased());
            assertSame(fresh, pool.acquire(false, seconds(5)), "the idle session of the new connection is reused");
        }
    }

    @Test
    void aConnectionThatFailsToCreateSessionsIsRetiredAndReplacedOnceDrained() throws Exception {
        FakeJms jms = new FakeJms();
        jms.openMillis = 0;
        try (SessionPool pool = new SessionPool("retired", jms.factory(), 1, 4)) {
            PooledSession held = pool.acquire(true, seconds(5)); // a transaction still open on the first connection
            FakeConnection first = jms.connections.get(0);
            first.failSessions = true;
            CageException e = assertThrows(CageException.class, () -> pool.acquire(false, seconds(5)));
            assertEquals(ErrorCode.UNAVAILABLE, e.code());
            assertEquals(1, pool.leased());

            // The only slot is held by the retired connection until its last session is back: callers wait, in time.
            CageException timedOut = assertThrows(CageException.class, () -> pool.acquire(false, Deadline.afterMillis(200)));
            assertEquals(ErrorCode.DEADLINE_EXCEEDED, timedOut.code());
            assertEquals(1, pool.leased());
            assertEquals(1, jms.connectionsCreated.get());

            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                Future<PooledSession> waiter = threads.submit(() -> pool.acquire(false, seconds(10)));
                Thread.sleep(100);
                assertFalse(waiter.isDone(), "waits for the slot rather than opening a second connection");
                pool.release(held);
                PooledSession s = waiter.get(10, TimeUnit.SECONDS);
                assertTrue(first.closed, "the retired connection was closed once drained");
                assertEquals(2, jms.connectionsCreated.get());
                assertEquals(1, jms.maxOpenConnections.get(), "never two open at once");
                pool.release(s);
            }
            assertEquals(0, pool.leased());
        }
    }

    @Test
    void closingWhileAConnectionOpensClosesItAndFailsItsCallers() throws Exception {
        FakeJms jms = new FakeJms();
        jms.openGate = new CountDownLatch(1);
        SessionPool pool = new SessionPool("closing", jms.factory(), 1, 4);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<PooledSession> opener = threads.submit(() -> pool.acquire(false, seconds(10)));
            Await.until("the opener reserved the connection", Duration.ofSeconds(5), () -> pool.leased() == 1);
            Future<PooledSession> waiter = threads.submit(() -> pool.acquire(false, seconds(10)));
            Await.until("the waiter claimed a session on it", Duration.ofSeconds(5), () -> pool.leased() == 2);
            pool.close();
            CageException w = (CageException) assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> waiter.get(10, TimeUnit.SECONDS)).getCause();
            assertTrue(w.getMessage().contains("is closed"), w.getMessage());
            jms.openGate.countDown();
            CageException o = (CageException) assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> opener.get(10, TimeUnit.SECONDS)).getCause();
            assertTrue(o.getMessage().contains("is closed"), o.getMessage());
        }
        assertEquals(0, pool.leased());
        assertEquals(0, jms.openConnections.get(), "the connection opened after close was closed");
    }

    /**
     * Lending and taking back run without the pool's lock: under many callers, a lost connection and a close in
     * the middle of it all, no session is lent twice at once, none is left open, and the limits hold.
     */
    @Test
    void lockFreeLendingUnderContentionAcrossALossAndACloseLeaksNothing() throws Exception {
        FakeJms jms = new FakeJms();
        jms.openMillis = 0;
        SessionPool pool = new SessionPool("busy", jms.factory(), 2, 4);
        java.util.Set<PooledSession> lent = java.util.concurrent.ConcurrentHashMap.newKeySet();
        AtomicInteger lentTwice = new AtomicInteger();
        AtomicInteger cycles = new AtomicInteger();
        AtomicInteger refusedAfterClose = new AtomicInteger();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> callers = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                callers.add(threads.submit(() -> {
                    // Until the pool refuses: a bounded loop let one caller finish before the close (the scheduler
                    // may run one virtual thread for thousands of cycles), leaving nothing to refuse.
                    while (true) {
                        PooledSession s;
                        try {
                            s = pool.acquire(false, seconds(10));
                        } catch (CageException e) {
                            assertTrue(e.getMessage().contains("is closed") || e.getMessage().contains("cannot reach"), e.getMessage());
                            refusedAfterClose.incrementAndGet();
                            return null;
                        }
                        if (!lent.add(s)) {
                            lentTwice.incrementAndGet();
                        }
                        cycles.incrementAndGet();
                        Thread.yield();
                        lent.remove(s);
                        pool.release(s);
                    }
                }));
            }
            Await.until("callers are lending", Duration.ofSeconds(10), () -> cycles.get() > 20_000);
            jms.connections.get(0).fail();
            int atLoss = cycles.get();
            Await.until("lending goes on after the loss", Duration.ofSeconds(10), () -> cycles.get() > atLoss + 20_000);
            pool.close();
            for (Future<?> caller : callers) {
                caller.get(30, TimeUnit.SECONDS);
            }
        }
        assertEquals(0, lentTwice.get(), "a session lent to two callers at once");
        assertEquals(16, refusedAfterClose.get(), "every caller was refused once the pool closed: " + cycles.get() + " cycles");
        assertEquals(0, pool.leased());
        assertEquals(0, jms.openConnections.get(), "every connection closed");
        for (FakeConnection c : jms.connections) {
            assertEquals(0, c.openSessions.get(), "every session closed");
        }
        assertTrue(jms.maxOpenConnections.get() <= 2, "connections at once: " + jms.maxOpenConnections.get());
        assertTrue(jms.maxSessionsOnOne.get() <= 4, "sessions on one connection: " + jms.maxSessionsOnOne.get());
    }
}
