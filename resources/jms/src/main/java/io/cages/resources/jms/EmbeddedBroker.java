package io.cages.resources.jms;

import java.nio.file.Path;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.remoting.impl.invm.InVMConnector;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;

/**
 * An Artemis broker inside the host: the demo default, and what tests use. Messages are persistent (journal
 * under {@code dataDir}), so a host restart loses nothing that was sent. Clients in the same JVM reach it with
 * {@code vm://<inVmId>}; others with {@code tcp://host:port} when a TCP port is given.
 */
public final class EmbeddedBroker implements AutoCloseable {

    /** Where messages go after too many failed deliveries. */
    public static final String DEAD_LETTER_ADDRESS = "DLQ";
    public static final String EXPIRY_ADDRESS = "ExpiryQueue";

    private final EmbeddedActiveMQ server = new EmbeddedActiveMQ();
    private final int inVmId;

    private EmbeddedBroker(Configuration configuration, int inVmId) throws Exception {
        this.inVmId = inVmId;
        server.setConfiguration(configuration);
        server.start();
    }

    /**
     * Starts a broker.
     *
     * @param dataDir            journal, bindings, paging and large messages live under it
     * @param inVmId             the in-VM acceptor id ({@code vm://0} is 0)
     * @param tcpPort            a TCP acceptor on 127.0.0.1:port, or -1 for none
     * @param maxDeliveryAttempts deliveries before the broker itself moves a message to {@link #DEAD_LETTER_ADDRESS}
     */
    public static EmbeddedBroker start(Path dataDir, int inVmId, int tcpPort, int maxDeliveryAttempts) throws Exception {
        return start(dataDir, inVmId, tcpPort, "127.0.0.1", maxDeliveryAttempts);
    }

    public static EmbeddedBroker start(Path dataDir, int inVmId, int tcpPort, String tcpBind, int maxDeliveryAttempts) throws Exception {
        if (maxDeliveryAttempts <= 0) {
            throw new IllegalArgumentException("maxDeliveryAttempts must be positive, was " + maxDeliveryAttempts);
        }
        Path dir = dataDir.toAbsolutePath();
        Configuration config = new ConfigurationImpl()
                .setName("cages-embedded-" + inVmId)
                .setPersistenceEnabled(true)
                .setSecurityEnabled(false) // embedded, same JVM (and loopback TCP by default): no users to manage
                .setJournalDirectory(dir.resolve("journal").toString())
                .setBindingsDirectory(dir.resolve("bindings").toString())
                .setPagingDirectory(dir.resolve("paging").toString())
                .setLargeMessagesDirectory(dir.resolve("large-messages").toString())
                .setNodeManagerLockDirectory(dir.toString())
                // Without this the broker logs a warning every few seconds in a JVM that is also a host.
                .setJMXManagementEnabled(false);
        config.addAcceptorConfiguration("in-vm", "vm://" + inVmId);
        if (tcpPort >= 0) {
            config.addAcceptorConfiguration("tcp", "tcp://" + tcpBind + ":" + tcpPort);
        }
        // Configured explicitly: without them Artemis warns (AMQ222165/6) and drops dead or expired messages.
        config.addAddressSetting("#", new AddressSettings()
                .setDeadLetterAddress(org.apache.activemq.artemis.api.core.SimpleString.of(DEAD_LETTER_ADDRESS))
                .setExpiryAddress(org.apache.activemq.artemis.api.core.SimpleString.of(EXPIRY_ADDRESS))
                .setMaxDeliveryAttempts(maxDeliveryAttempts)
                .setRedeliveryDelay(0L)
                .setAutoCreateQueues(true)
                .setAutoCreateAddresses(true));
        config.addQueueConfiguration(QueueConfiguration.of(DEAD_LETTER_ADDRESS).setRoutingType(RoutingType.ANYCAST));
        config.addQueueConfiguration(QueueConfiguration.of(EXPIRY_ADDRESS).setRoutingType(RoutingType.ANYCAST));
        return new EmbeddedBroker(config, inVmId);
    }

    /** The URL clients in this JVM use. */
    public String inVmUrl() {
        return "vm://" + inVmId;
    }

    /** Messages waiting in {@code queue}, or -1 when there is no such queue. */
    public long messageCount(String queue) {
        var q = server.getActiveMQServer().locateQueue(queue);
        return q == null ? -1 : q.getMessageCount();
    }

    /** Consumers attached to {@code queue} now, or -1 when there is no such queue. */
    public int consumerCount(String queue) {
        var q = server.getActiveMQServer().locateQueue(queue);
        return q == null ? -1 : q.getConsumerCount();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("embedded broker did not stop cleanly", e);
        } finally {
            // The in-VM connector keeps a static thread pool; without this reset the JVM waits ~60 s to exit.
            InVMConnector.resetThreadPool();
        }
    }
}
