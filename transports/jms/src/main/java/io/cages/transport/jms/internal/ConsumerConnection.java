package io.cages.transport.jms.internal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.jms.Connection;
import javax.jms.ConnectionFactory;
import javax.jms.JMSException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JMS transport's one connection, shared by its consumer loops, and replaced when it breaks.
 *
 * <p>Without {@code reconnectAttempts} in its URL, the Artemis client gives a connection up for good when its
 * broker goes away ("AMQ219010: Connection is destroyed"); every session asked of it afterwards fails. So a
 * connection that the provider reports lost, or on which a loop could not create a session, is closed and
 * forgotten, and the next loop that needs one opens a new one. While the broker stays away, one loop at a
 * time tries, with a back-off from {@value #INITIAL_BACKOFF_MS} ms doubling up to {@value #MAX_BACKOFF_MS} ms;
 * the others wait for it.
 *
 * <p>An outage is logged once when it starts (WARN), once when a consumer is attached again (INFO), and in
 * between at most once a {@link #reminderEvery} (WARN); each failed attempt only at DEBUG. An outage ends, and
 * the back-off starts over, only when a loop {@linkplain #confirmed confirms} the connection by attaching a
 * consumer on it: a broker that accepts connections but fails every session stays one outage, with a growing
 * pause, not a burst of short ones.
 */
public final class ConsumerConnection implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerConnection.class);
    static final long INITIAL_BACKOFF_MS = 100;
    static final long MAX_BACKOFF_MS = 3_000;
    /** Longest single wait for another loop's connection attempt; the wait is re-checked after it. */
    private static final long MAX_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ConnectionFactory factory;
    private final String url;
    private final Duration reminderEvery;

    // CONCURRENCY: every field below is guarded by this object's monitor; no broker I/O happens under it.
    private final Backoff backoff;
    /** The connection loops use; null during an outage. */
    private Connection current;
    /** A loop is opening a connection (outside the lock); the others wait for it. */
    private boolean connecting;
    /** No new connections: waiting loops get null. Set by stop() and close(). */
    private boolean stopping;
    /** When the next connection attempt may start (System.nanoTime). */
    private long nextAttemptNanos;
    /** Consumers have no working connection, and the outage has been logged. */
    private boolean inOutage;
    /** Since when (System.nanoTime); meaningful while inOutage. */
    private long outageSinceNanos;
    private int failedAttempts;
    private long lastReportNanos;

    public ConsumerConnection(ConnectionFactory factory, String url) {
        this(factory, url, INITIAL_BACKOFF_MS, MAX_BACKOFF_MS, Duration.ofMinutes(1));
    }

    ConsumerConnection(ConnectionFactory factory, String url, long initialBackoffMs, long maxBackoffMs, Duration reminderEvery) {
        this.factory = factory;
        this.url = url;
        this.backoff = new Backoff(initialBackoffMs, maxBackoffMs);
        this.reminderEvery = reminderEvery;
    }

    /** Opens the first connection, at start: a broker that cannot be reached then fails the transport's start. */
    public void open() throws JMSException {
        Connection c = connect();
        synchronized (this) {
            current = c;
        }
    }

    /**
     * The working connection; during an outage, waits (bounded by the back-off, woken by {@link #stop}) until
     * this or another loop has opened a new one.
     *
     * @return the connection, or null once stopping (or when the calling thread is interrupted)
     */
    Connection await() {
        while (true) {
            synchronized (this) {
                if (!waitForTurn()) {
                    return current; // null when stopping
                }
                connecting = true;
            }
            Connection opened = null;
            Exception failure = null;
            try {
                opened = connect();
            } catch (JMSException | RuntimeException e) {
                failure = e;
            }
            boolean keep;
            synchronized (this) {
                connecting = false;
                notifyAll();
                keep = opened != null && !stopping;
                if (keep) {
                    current = opened;
                    LOG.debug("jms transport: connected to {} ({} failed attempt(s) before)", url, failedAttempts);
                } else if (failure != null) {
                    attemptFailed(failure);
                }
            }
            if (keep) {
                return opened;
            }
            if (opened != null) {
                closeQuietly(opened); // stopped while it was being opened
                return null;
            }
        }
    }

    /**
     * Under the lock: true when the caller should try to connect now; false when there is a connection to use
     * or the transport is stopping (then {@code current} tells which).
     */
    private boolean waitForTurn() {
        while (true) {
            if (stopping || current != null) {
                return false;
            }
            long waitNanos = connecting ? MAX_WAIT_NANOS : nextAttemptNanos - System.nanoTime();
            if (waitNanos <= 0) {
                return true;
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, Math.min(waitNanos, MAX_WAIT_NANOS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false; // current is null here: the caller ends
            }
        }
    }

    /**
     * {@code c} is broken: the provider reported it lost, or a session could not be created on it. If it is
     * still the working connection it is dropped and closed, and the next {@link #await} opens a new one after
     * the back-off. Safe to call more than once and from the provider's threads.
     */
    void lost(Connection c, Exception cause) {
        synchronized (this) {
            if (c != current) {
                return; // already replaced (several loops and the provider report the same loss)
            }
            current = null;
            long now = System.nanoTime();
            if (!inOutage) {
                startOutage(now);
                LOG.warn("jms transport: connection to {} lost ({}); consumers wait and reconnect with back-off "
                        + "({} ms doubling up to {} ms)", url, describe(cause), backoff.initialMs(), backoff.maxMs());
            } else {
                LOG.debug("jms transport: connection to {} lost again before a consumer was attached: {}", url, describe(cause));
            }
            nextAttemptNanos = now + TimeUnit.MILLISECONDS.toNanos(backoff.next());
            notifyAll();
        }
        closeQuietly(c);
    }

    /** Under the lock: a connection attempt failed; the next one waits for the back-off. */
    private void attemptFailed(Exception failure) {
        long now = System.nanoTime();
        if (!inOutage) { // the loss was not reported before (only possible if the first open() is retried)
            startOutage(now);
            LOG.warn("jms transport: cannot connect to {} ({}); consumers wait and retry with back-off", url, describe(failure));
        }
        failedAttempts++;
        long delayMs = backoff.next();
        nextAttemptNanos = now + TimeUnit.MILLISECONDS.toNanos(delayMs);
        if (now - lastReportNanos >= reminderEvery.toNanos()) {
            lastReportNanos = now;
            LOG.warn("jms transport: still no connection to {} after {} attempt(s) over {} ms: {}", url, failedAttempts,
                    TimeUnit.NANOSECONDS.toMillis(now - outageSinceNanos), describe(failure));
        } else {
            LOG.debug("jms transport: connecting to {} failed ({}); next attempt in {} ms", url, describe(failure), delayMs);
        }
    }

    /** Under the lock: consumers have had no working connection since {@code now}. */
    private void startOutage(long now) {
        inOutage = true;
        outageSinceNanos = now;
        lastReportNanos = now;
        failedAttempts = 0;
    }

    /**
     * A loop attached a consumer on {@code c}: the connection works. Ends an outage (logged once) and starts
     * the back-off over.
     */
    void confirmed(Connection c) {
        synchronized (this) {
            if (c != current || !inOutage) {
                return;
            }
            inOutage = false;
            backoff.reset();
            LOG.info("jms transport: reconnected to {} after {} ms ({} failed attempt(s)); consumers resume", url,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - outageSinceNanos), failedAttempts);
        }
    }

    /** No new connections from now on; loops waiting for one get null. The working one stays for in-flight commits. */
    public void stop() {
        synchronized (this) {
            stopping = true;
            notifyAll();
        }
    }

    @Override
    public void close() {
        Connection c;
        synchronized (this) {
            stopping = true;
            c = current;
            current = null;
            notifyAll();
        }
        if (c != null) {
            closeQuietly(c);
        }
    }

    private Connection connect() throws JMSException {
        Connection c = factory.createConnection();
        try {
            // Called on a provider thread; FAILOVER means the provider reconnected by itself (reconnectAttempts in
            // the URL) and the connection still works.
            c.setExceptionListener(e -> {
                if (!"FAILOVER".equals(e.getErrorCode())) {
                    lost(c, e);
                }
            });
            c.start();
            return c;
        } catch (JMSException | RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
    }

    private static String describe(Exception e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (JMSException | RuntimeException e) {
            LOG.debug("closing a broken jms connection failed (expected once the broker is gone)", e);
        }
    }
}
