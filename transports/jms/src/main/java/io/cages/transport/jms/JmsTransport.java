package io.cages.transport.jms;

import io.cages.host.spi.Transport;
import io.cages.host.spi.TransportContext;
import io.cages.transport.jms.internal.ConsumerConnection;
import io.cages.transport.jms.internal.ConsumerLoop;
import java.util.ArrayList;
import java.util.List;
import javax.jms.JMSException;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.cages.resources.jms.JmsSettings;

/**
 * Feeds queues to cages: each message of a bound queue becomes a request to the bound cage operation.
 *
 * <p>Delivery is at least once. A message is consumed on a transacted session and committed only after the
 * handler succeeded (with the reply, if any, in the same transaction); a failure rolls back so the broker
 * redelivers it; after {@code maxDeliveryAttempts} the transport moves it to the DLQ itself, with the reason
 * in the {@code cagesFailure} property. Details in the module README.
 *
 * <p>Found with ServiceLoader by the host, it reads the host config's {@code transports.jms} section (see
 * {@link JmsTransportSettings}); without that section it consumes nothing.
 *
 * <p>A broker that goes away and comes back needs nothing in the URL: the consumers' connection is replaced
 * with a back-off (see {@link ConsumerConnection}), and the outage is logged once when it starts and once when
 * consumption resumes.
 */
public final class JmsTransport implements Transport {

    private static final Logger LOG = LoggerFactory.getLogger(JmsTransport.class);

    private JmsTransportSettings settings;
    private final List<ConsumerLoop> loops = new ArrayList<>();
    private ActiveMQConnectionFactory factory;
    private ConsumerConnection connection;

    /** For ServiceLoader: settings come from the host config at {@link #start}. */
    public JmsTransport() {
        this(null);
    }

    public JmsTransport(JmsTransportSettings settings) {
        this.settings = settings;
    }

    @Override
    public String name() {
        return "jms";
    }

    @Override
    public void start(TransportContext context) throws Exception {
        if (settings == null) {
            com.fasterxml.jackson.databind.JsonNode section = context.config().transport("jms");
            if (section == null) {
                return;
            }
            settings = JmsTransportSettings.fromJson(section); // its errors name the key from transports.jms on
        }
        JmsSettings c = settings.connection();
        factory = new ActiveMQConnectionFactory(c.brokerUrl(), c.username(), c.password());
        factory.setCallTimeout(c.sendTimeoutMs());
        // Each consumer holds at most one message it has not started: others stay on the queue for the other
        // consumers (and are not redelivered if this one stops).
        factory.setConsumerWindowSize(0);
        connection = new ConsumerConnection(factory, c.brokerUrl());
        try {
            connection.open(); // a broker that cannot be reached at start fails the start, as a bad config does
            for (JmsTransportSettings.Binding b : settings.bindings()) {
                for (int i = 0; i < b.consumers(); i++) {
                    loops.add(new ConsumerLoop(connection, b, i, settings.maxDeliveryAttempts(),
                            settings.receiveTimeoutMs(), context.dispatcher()));
                }
            }
            loops.forEach(ConsumerLoop::start);
        } catch (JMSException | RuntimeException e) {
            close();
            throw e;
        }
        LOG.info("jms transport: {} consumer(s) on {} at {}", loops.size(),
                settings.bindings().stream().map(JmsTransportSettings.Binding::queue).toList(), c.brokerUrl());
    }

    @Override
    public void stopAccepting() {
        if (settings == null) {
            return;
        }
        loops.forEach(ConsumerLoop::stop);
        if (connection != null) {
            connection.stop(); // loops waiting for the broker to come back end now
        }
        // Idle loops end within one receive timeout; a loop with a request in flight finishes it (and commits)
        // while the host drains, and close() waits for it.
        long until = System.nanoTime() + (settings.receiveTimeoutMs() + 1_000) * 1_000_000L;
        for (ConsumerLoop loop : loops) {
            loop.awaitEnd(Math.max(0, until - System.nanoTime()));
        }
    }

    @Override
    public void close() {
        loops.forEach(ConsumerLoop::stop);
        if (connection != null) {
            connection.stop();
        }
        long until = System.nanoTime() + 5_000_000_000L;
        for (ConsumerLoop loop : loops) {
            if (!loop.awaitEnd(Math.max(0, until - System.nanoTime()))) {
                LOG.warn("jms consumer {} did not end in time; closing its connection (uncommitted work is rolled back)", loop);
            }
        }
        if (connection != null) {
            connection.close();
        }
        if (factory != null) {
            factory.close();
        }
    }
}
