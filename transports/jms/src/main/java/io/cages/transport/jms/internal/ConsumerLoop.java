package io.cages.transport.jms.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.api.ErrorCode;
import io.cages.host.spi.Dispatcher;
import io.cages.host.spi.HostJson;
import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.RefusedException;
import io.cages.host.spi.Reply;
import io.cages.host.spi.TraceContext;
import io.cages.resources.jms.EmbeddedBroker;
import io.cages.transport.jms.JmsTransportSettings.Binding;
import java.nio.charset.StandardCharsets;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.jms.Connection;
import javax.jms.DeliveryMode;
import javax.jms.Destination;
import javax.jms.JMSException;
import javax.jms.Message;
import javax.jms.MessageConsumer;
import javax.jms.MessageProducer;
import javax.jms.Session;
import javax.jms.MapMessage;
import javax.jms.ObjectMessage;
import javax.jms.StreamMessage;
import javax.jms.TextMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.cages.resources.jms.Messages;

/**
 * One consumer of one binding: a transacted session read by one virtual thread. Each message is dispatched,
 * and the session committed (ack, plus the reply) only after the handler succeeded.
 */
public final class ConsumerLoop {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerLoop.class);

    /** Property with the caller's deadline as wall-clock epoch milliseconds (messages outlive JVMs). */
    static final String DEADLINE_PROPERTY = "cagesDeadlineMs";
    static final String FAILURE_PROPERTY = "cagesFailure";
    static final String FAILURE_CODE_PROPERTY = "cagesFailureCode";
    /** Longest pause before offering a refused message again: short, as the message waits meanwhile. */
    private static final long MAX_REFUSAL_BACKOFF_MS = 200;
    /** A streamed answer becomes one message: collected up to this, refused past it (stream over HTTP). */
    static final int MAX_STREAMED_REPLY_BYTES = 16 * 1024 * 1024;

    /** Pauses after a failure of this loop's own session (not a lost connection: that one waits in ConsumerConnection). */
    private static final long SESSION_BACKOFF_MS = 100;
    private static final long MAX_SESSION_BACKOFF_MS = 5_000;
    /** Longest silence while this loop's sessions keep failing on a working connection. */
    private static final long REMINDER_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final ConsumerConnection connections;
    private final Binding binding;
    private final int index;
    private final int maxDeliveryAttempts;
    private final long receiveTimeoutMs;
    private final Dispatcher dispatcher;
    private volatile boolean running = true;
    /** Counted down by stop(): ends pauses at once. */
    private final CountDownLatch stopped = new CountDownLatch(1);
    private Thread thread;

    public ConsumerLoop(ConsumerConnection connections, Binding binding, int index, int maxDeliveryAttempts, long receiveTimeoutMs,
                        Dispatcher dispatcher) {
        this.connections = connections;
        this.binding = binding;
        this.index = index;
        this.maxDeliveryAttempts = maxDeliveryAttempts;
        this.receiveTimeoutMs = receiveTimeoutMs;
        this.dispatcher = dispatcher;
    }

    public void start() {
        thread = Thread.ofVirtual().name(toString()).start(this::run);
    }

    public void stop() {
        running = false;
        stopped.countDown();
    }

    /** Waits up to {@code nanos} for the loop to end. */
    public boolean awaitEnd(long nanos) {
        if (thread == null) {
            return true;
        }
        try {
            return thread.join(java.time.Duration.ofNanos(nanos));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Consumes until stopped. A failure ends the session (the broker gets its uncommitted message back) and the
     * loop starts a new one. Whether the failure was the connection's or this session's own is found out by
     * the next session: if none can be made on the same connection, the connection is broken and
     * {@link ConsumerConnection} replaces it (and logs the outage once for all loops); if the connection was
     * replaced meanwhile, the outage explains the failure. Only a failure on a connection that still works is
     * this loop's to log: once when it starts failing, at most once a minute while it goes on, once when it
     * consumes again. Pauses grow from 100 ms to 5 s.
     */
    private void run() {
        Backoff backoff = new Backoff(SESSION_BACKOFF_MS, MAX_SESSION_BACKOFF_MS);
        SessionFailures failures = new SessionFailures();
        Exception failure = null; // the last session's failure, not yet explained
        Connection failedOn = null;
        while (running) {
            Connection c = connections.await();
            if (c == null) {
                return; // stopping
            }
            Session session;
            try {
                session = c.createSession(true, Session.SESSION_TRANSACTED);
            } catch (JMSException | RuntimeException e) {
                // A connection that cannot make a session is broken ("AMQ219010: Connection is destroyed").
                LOG.debug("{}: no session on the connection: {}", this, e.toString());
                connections.lost(c, e);
                failure = null; // explained by the lost connection, which ConsumerConnection reports
                continue;
            }
            if (failure != null) {
                if (failedOn == c) {
                    failures.failed(failure); // the connection works: the failure was this session's own
                } else {
                    LOG.debug("{}: session ended with its connection: {}", this, failure.toString());
                }
                failure = null;
            }
            try (session;
                 MessageConsumer consumer = session.createConsumer(session.createQueue(binding.queue()));
                 MessageProducer producer = session.createProducer(null)) {
                connections.confirmed(c);
                while (running) {
                    Message m = consumer.receive(receiveTimeoutMs);
                    failures.consuming();
                    backoff.reset();
                    if (m != null) {
                        handle(session, producer, m);
                    }
                }
            } catch (JMSException | RuntimeException e) {
                if (!running) {
                    return;
                }
                // Broker gone or session broken: uncommitted messages go back to the queue; a new session after a pause.
                failure = e;
                failedOn = c;
                pause(backoff.next());
            }
        }
    }

    /** This loop's own session failures on a working connection, logged once each way and reminded rarely. */
    private final class SessionFailures {
        private boolean failing;
        private long since;
        private long lastReport;
        private int count;

        void failed(Exception e) {
            count++;
            long now = System.nanoTime();
            if (!failing) {
                failing = true;
                since = now;
                lastReport = now;
                LOG.warn("{}: session failed: {}; starting a new one (back-off up to {} ms)", ConsumerLoop.this, e.toString(),
                        MAX_SESSION_BACKOFF_MS);
            } else if (now - lastReport >= REMINDER_NANOS) {
                lastReport = now;
                LOG.warn("{}: still failing after {} attempt(s) over {} s: {}", ConsumerLoop.this, count,
                        TimeUnit.NANOSECONDS.toSeconds(now - since), e.toString());
            } else {
                LOG.debug("{}: session failed again: {}", ConsumerLoop.this, e.toString());
            }
        }

        /** A receive completed: the session works. */
        void consuming() {
            if (failing) {
                LOG.info("{}: consuming again after {} failed session(s)", ConsumerLoop.this, count);
                failing = false;
                count = 0;
            }
        }
    }

    private void handle(Session session, MessageProducer producer, Message m) throws JMSException {
        int attempt = Math.max(1, m.propertyExists("JMSXDeliveryCount") ? m.getIntProperty("JMSXDeliveryCount") : 1);
        long backoffMs = 10;
        while (true) {
            try {
                InboundRequest request = toRequest(m);
                Reply reply = dispatch(request);
                if (m.getJMSReplyTo() != null) {
                    try {
                        producer.send(m.getJMSReplyTo(), replyMessage(session, m, reply, request), DeliveryMode.PERSISTENT,
                                Message.DEFAULT_PRIORITY, Message.DEFAULT_TIME_TO_LIVE);
                    } catch (JMSException e) {
                        // The work is done; running it again because the requester's reply queue is gone would be
                        // worse than losing the reply. (A broken session fails the commit below and rolls back.)
                        LOG.warn("{}: reply to {} for message {} not sent: {}", this, m.getJMSReplyTo(), m.getJMSMessageID(), e.toString());
                    }
                }
                session.commit();
                return;
            } catch (CageException e) {
                if (isRefusalToRetryInPlace(e)) {
                    if (running) {
                        // Nothing ran (cage at its limits, being swapped in, not deployed yet): keep the message
                        // and try again, so a busy cage does not push messages towards the DLQ.
                        pause(backoffMs);
                        backoffMs = Math.min(backoffMs * 2, MAX_REFUSAL_BACKOFF_MS);
                        continue;
                    }
                    session.rollback(); // shutting down: back to the queue (the broker counts one delivery)
                    return;
                }
                boolean hopeless = e.code() == ErrorCode.BAD_REQUEST
                        || (e instanceof RefusedException && e.code() == ErrorCode.DEADLINE_EXCEEDED);
                if (attempt >= maxDeliveryAttempts || hopeless) {
                    deadLetter(session, producer, m, e, attempt);
                    session.commit();
                    LOG.warn("{}: message {} moved to {} after {} attempt(s): {}", this, m.getJMSMessageID(),
                            EmbeddedBroker.DEAD_LETTER_ADDRESS, attempt, e.toString());
                } else {
                    session.rollback(); // the broker redelivers it
                }
                return;
            }
        }
    }

    private static boolean isRefusalToRetryInPlace(CageException e) {
        return e instanceof RefusedException && (e.code() == ErrorCode.UNAVAILABLE || e.code() == ErrorCode.NOT_FOUND);
    }

    private Reply dispatch(InboundRequest request) throws CageException {
        try {
            // The dispatcher completes every future by the request's deadline (its contract), so this is bounded.
            return dispatcher.dispatch(request).thenCompose(reply -> reply.collected(MAX_STREAMED_REPLY_BYTES, "JMS reply limit")).get();
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof CageException c) {
                throw c;
            }
            throw CageException.internal("handler failed", cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CageException(ErrorCode.UNAVAILABLE, "interrupted");
        }
    }

    private InboundRequest toRequest(Message m) throws JMSException, CageException {
        refuseObjectBodies(m);
        byte[] body = Messages.body(m);
        Map<String, Object> params = null;
        String contentType = m instanceof TextMessage ? "text/plain; charset=utf-8" : "application/octet-stream";
        if (m instanceof TextMessage && body.length > 0 && body[0] == '{') {
            try {
                JsonNode tree = HostJson.MAPPER.readTree(body);
                if (tree.isObject()) {
                    params = HostJson.MAPPER.convertValue(tree, HostJson.MAPPER.getTypeFactory().constructMapType(Map.class, String.class, Object.class));
                    contentType = "application/json";
                }
            } catch (java.io.IOException notJson) {
                // not JSON after all: the handler gets the text as the body
            }
        }
        Map<String, String> attributes = new HashMap<>();
        for (Enumeration<?> names = m.getPropertyNames(); names.hasMoreElements(); ) {
            String name = (String) names.nextElement();
            Object value = m.getObjectProperty(name);
            if (value != null) {
                attributes.put("jms." + name, value.toString());
            }
        }
        attributes.put("jms.JMSMessageID", m.getJMSMessageID());
        if (m.getJMSCorrelationID() != null) {
            attributes.put("jms.JMSCorrelationID", m.getJMSCorrelationID());
        }
        attributes.put("jms.queue", binding.queue());
        // A message a host sent carries its sender's span (W3C traceparent); handling it is a child span.
        TraceContext.incoming(stringProperty(m, TraceContext.TRACEPARENT), stringProperty(m, TraceContext.TRACESTATE))
                .putInto(attributes);
        Deadline deadline = null;
        if (m.propertyExists(DEADLINE_PROPERTY)) {
            try {
                deadline = Deadline.afterMillis(Long.parseLong(m.getObjectProperty(DEADLINE_PROPERTY).toString()) - System.currentTimeMillis());
            } catch (NumberFormatException ignored) {
                // a malformed deadline is ignored: the cage's own limit still applies
            }
        }
        return new InboundRequest(dispatcher.newRequestId(), binding.cage(), binding.operation(), params, body, contentType,
                attributes, "jms:" + binding.queue(), deadline);
    }

    private static String stringProperty(Message m, String name) throws JMSException {
        Object value = m.getObjectProperty(name);
        return value != null ? value.toString() : null;
    }

    /**
     * Refuses the JMS body types that are not bytes or text, before anything reads them: an ObjectMessage's body is
     * a Java-serialized object (deserializing what a queue brings is how remote code runs), and a Map or Stream
     * message is Java values of the sender's choosing. Cages never uses Java serialization on any wire.
     */
    private void refuseObjectBodies(Message m) throws CageException {
        String kind = m instanceof ObjectMessage ? "an ObjectMessage (a Java-serialized object; cages never deserializes one)"
                : m instanceof MapMessage ? "a MapMessage" : m instanceof StreamMessage ? "a StreamMessage" : null;
        if (kind != null) {
            throw new CageException(ErrorCode.BAD_REQUEST, "queue '" + binding.queue() + "' got " + kind
                    + "; send a TextMessage (JSON parameters, or text) or a BytesMessage");
        }
    }

    private static Message replyMessage(Session session, Message request, Reply reply, InboundRequest handled) throws JMSException {
        Message out;
        if (reply.hasValue()) {
            try {
                out = session.createTextMessage(new String(reply.valueAsJson(HostJson.MAPPER), StandardCharsets.UTF_8));
            } catch (java.io.IOException e) {
                throw new JMSException("reply value cannot be written as JSON: " + e.getMessage());
            }
        } else if (reply.body() != null && reply.body().length > 0) {
            out = Messages.bytes(session, reply.body(), null);
        } else {
            out = session.createTextMessage();
        }
        out.setJMSCorrelationID(correlationOf(request));
        if (reply.version() != null) {
            out.setStringProperty("cagesVersion", reply.version());
        }
        // The reply names the span that handled the request, as an HTTP answer's traceparent does.
        TraceContext trace = TraceContext.of(handled.attributes());
        if (trace != null && trace.traceparent() != null) {
            out.setStringProperty(TraceContext.TRACEPARENT, trace.traceparent());
        }
        return out;
    }

    private static String correlationOf(Message request) throws JMSException {
        return request.getJMSCorrelationID() != null ? request.getJMSCorrelationID() : request.getJMSMessageID();
    }

    /** A copy of the message on the DLQ with the reason, plus an error reply when the sender waits for one. */
    private void deadLetter(Session session, MessageProducer producer, Message m, CageException e, int attempt) throws JMSException {
        Map<String, Object> properties = new java.util.LinkedHashMap<>();
        for (Enumeration<?> names = m.getPropertyNames(); names.hasMoreElements(); ) {
            String name = (String) names.nextElement();
            if (!name.startsWith("JMSX") && !name.startsWith("_AMQ")) { // provider-set, not ours to copy
                properties.put(name, m.getObjectProperty(name));
            }
        }
        Message copy;
        if (m instanceof TextMessage t) {
            copy = session.createTextMessage(t.getText());
        } else if (m instanceof ObjectMessage || m instanceof MapMessage || m instanceof StreamMessage) {
            // Forwarded as it came, its body never read (see refuseObjectBodies); its properties become writable.
            m.clearProperties();
            copy = m;
        } else {
            copy = Messages.bytes(session, Messages.body(m), null);
        }
        for (Map.Entry<String, Object> property : properties.entrySet()) {
            copy.setObjectProperty(property.getKey(), property.getValue());
        }
        copy.setStringProperty(FAILURE_PROPERTY, e.getMessage());
        copy.setStringProperty(FAILURE_CODE_PROPERTY, e.code().name());
        copy.setStringProperty("cagesOriginalQueue", binding.queue());
        copy.setStringProperty("cagesOriginalMessageId", m.getJMSMessageID());
        copy.setIntProperty("cagesDeliveryAttempts", attempt);
        if (m.getJMSCorrelationID() != null) {
            copy.setJMSCorrelationID(m.getJMSCorrelationID());
        }
        producer.send(session.createQueue(EmbeddedBroker.DEAD_LETTER_ADDRESS), copy, DeliveryMode.PERSISTENT,
                Message.DEFAULT_PRIORITY, Message.DEFAULT_TIME_TO_LIVE);
        Destination replyTo = m.getJMSReplyTo();
        if (replyTo != null) {
            Message error = session.createTextMessage(HostJson.MAPPER.createObjectNode().set("error", HostJson.MAPPER.createObjectNode()
                    .put("code", e.code().name()).put("message", e.getMessage())).toString());
            error.setJMSCorrelationID(correlationOf(m));
            error.setStringProperty(FAILURE_CODE_PROPERTY, e.code().name());
            producer.send(replyTo, error, DeliveryMode.PERSISTENT, Message.DEFAULT_PRIORITY, Message.DEFAULT_TIME_TO_LIVE);
        }
    }

    /** A retry pause, not a wait for a condition; stop() ends it at once. */
    private void pause(long ms) {
        try {
            stopped.await(ms, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "jms-consumer[" + binding.queue() + "->" + binding.cage() + "." + binding.operation() + "#" + index + "]";
    }
}
