package io.cages.transport.jms.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.host.spi.Dispatcher;
import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.Reply;
import io.cages.host.testing.Await;
import io.cages.transport.jms.CapturedLog;
import io.cages.transport.jms.JmsTransportSettings.Binding;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import javax.jms.Connection;
import javax.jms.ConnectionFactory;
import javax.jms.JMSException;
import javax.jms.MessageConsumer;
import javax.jms.MessageProducer;
import javax.jms.Session;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import io.cages.transport.jms.internal.ConsumerLoop;
import io.cages.transport.jms.internal.ConsumerConnection;

/**
 * {@link ConsumerLoop} alone, on fake JMS objects (receives always come back empty): who logs which failure.
 * A session that keeps failing on a working connection is the loop's own problem (one WARN, one INFO when it
 * consumes again); a connection on which no session can be made is replaced, and only
 * {@link ConsumerConnection} logs that.
 */
class ConsumerLoopTest {

    static final Binding BINDING = new Binding("q.fake", "ledger", "record", 1);

    final CapturedLog log = new CapturedLog("io.cages.transport.jms").attach();
    final AtomicInteger connectionsOpened = new AtomicInteger();
    final AtomicInteger sessionsRefused = new AtomicInteger();
    final AtomicInteger consumersRefused = new AtomicInteger();
    final AtomicInteger receives = new AtomicInteger();
    /** Connections with these numbers (1 = the first) cannot create sessions: they are broken. */
    volatile int brokenConnectionsUpTo;
    /** The first this-many consumer creations fail, on a connection that works. */
    volatile int consumerFailures;

    @AfterEach
    void detach() {
        log.detach();
    }

    @Test
    @Timeout(30)
    void aSessionThatKeepsFailingOnAWorkingConnectionIsLoggedOnceEachWay() throws Exception {
        consumerFailures = 4;
        ConsumerConnection connections = new ConsumerConnection(factory(), "fake://broker");
        connections.open();
        ConsumerLoop loop = new ConsumerLoop(connections, BINDING, 0, 5, 10, refusingDispatcher());
        loop.start();
        Await.until("consuming after 4 failed sessions", Duration.ofSeconds(20), () -> receives.get() >= 3);
        loop.stop();
        assertTrue(loop.awaitEnd(Duration.ofSeconds(5).toNanos()), "loop ended");
        connections.close();

        List<String> lines = log.lines();
        System.out.println("log: " + lines);
        assertEquals(4, consumersRefused.get());
        assertEquals(1, connectionsOpened.get(), "the connection worked: it was kept");
        assertEquals(1, lines.stream().filter(l -> l.contains("ConsumerLoop WARN") && l.contains("session failed")).count(), lines.toString());
        assertEquals(1, lines.stream().filter(l -> l.contains("ConsumerLoop INFO") && l.contains("consuming again")).count(), lines.toString());
        assertEquals(2, lines.size(), "nothing else: " + lines);
    }

    @Test
    @Timeout(30)
    void aConnectionThatCannotMakeASessionIsReplacedAndOnlyItsOutageIsLogged() throws Exception {
        brokenConnectionsUpTo = 2; // the first connection breaks, and so does the first one opened after it
        ConsumerConnection connections = new ConsumerConnection(factory(), "fake://broker");
        connections.open();
        ConsumerLoop loop = new ConsumerLoop(connections, BINDING, 0, 5, 10, refusingDispatcher());
        loop.start();
        Await.until("consuming on the third connection", Duration.ofSeconds(20), () -> receives.get() >= 3);
        loop.stop();
        assertTrue(loop.awaitEnd(Duration.ofSeconds(5).toNanos()), "loop ended");
        connections.close();

        List<String> lines = log.lines();
        System.out.println("log: " + lines);
        assertEquals(3, connectionsOpened.get());
        assertEquals(2, sessionsRefused.get());
        assertEquals(0, lines.stream().filter(l -> l.contains("ConsumerLoop")).count(), "the loop leaves the outage to the connection: " + lines);
        assertEquals(1, lines.stream().filter(l -> l.contains("ConsumerConnection WARN") && l.contains("lost")).count(), lines.toString());
        assertEquals(1, lines.stream().filter(l -> l.contains("ConsumerConnection INFO") && l.contains("reconnected")).count(), lines.toString());
        assertEquals(2, lines.size(), "one outage (the second broken connection is part of it): " + lines);
    }

    static Dispatcher refusingDispatcher() {
        return new Dispatcher() {
            @Override
            public String newRequestId() {
                return "r";
            }

            @Override
            public CompletableFuture<Reply> dispatch(InboundRequest request) {
                throw new AssertionError("no message is ever received here");
            }
        };
    }

    ConnectionFactory factory() {
        return fake(ConnectionFactory.class, (name, args) -> {
            if (!name.equals("createConnection")) {
                throw new UnsupportedOperationException(name);
            }
            int number = connectionsOpened.incrementAndGet();
            return connection(number <= brokenConnectionsUpTo);
        });
    }

    Connection connection(boolean broken) {
        return fake(Connection.class, (name, args) -> switch (name) {
            case "setExceptionListener", "start", "close" -> null;
            case "createSession" -> {
                if (broken) {
                    sessionsRefused.incrementAndGet();
                    throw new JMSException("AMQ219010: Connection is destroyed");
                }
                yield session();
            }
            default -> throw new UnsupportedOperationException(name);
        });
    }

    Session session() {
        return fake(Session.class, (name, args) -> switch (name) {
            case "createQueue" -> null;
            case "createConsumer" -> {
                if (consumersRefused.get() < consumerFailures) {
                    consumersRefused.incrementAndGet();
                    throw new JMSException("AMQ229xxx: not allowed to consume " + BINDING.queue());
                }
                yield fake(MessageConsumer.class, (n, a) -> switch (n) {
                    case "receive" -> {
                        Thread.sleep((Long) a[0]);
                        receives.incrementAndGet();
                        yield null;
                    }
                    case "close" -> null;
                    default -> throw new UnsupportedOperationException(n);
                });
            }
            case "createProducer" -> fake(MessageProducer.class, (n, a) -> {
                if (n.equals("close")) {
                    return null;
                }
                throw new UnsupportedOperationException(n);
            });
            case "close" -> null;
            default -> throw new UnsupportedOperationException(name);
        });
    }

    @FunctionalInterface
    interface Behaviour {
        Object call(String method, Object[] args) throws Exception;
    }

    static <T> T fake(Class<T> type, Behaviour behaviour) {
        return type.cast(Proxy.newProxyInstance(ConsumerLoopTest.class.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> switch (method.getName()) {
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "fake " + type.getSimpleName();
                    default -> behaviour.call(method.getName(), args);
                }));
    }
}
