package io.cages.resources.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cages.api.CageException;
import io.cages.api.Database;
import io.cages.api.Deadline;
import io.cages.api.DurableCall;
import io.cages.api.MessageQueue;
import io.cages.api.Transaction;
import io.cages.host.spi.HostJson;
import io.cages.host.spi.Reply;
import io.cages.host.spi.ResourceContext;
import io.cages.host.spi.ResourceProvider;
import io.cages.host.spi.StateFence;
import io.cages.host.spi.StateStore;
import io.cages.api.CageState;
import io.cages.resources.provider.state.CageStates;
import io.cages.resources.jdbc.JdbcResource;
import io.cages.resources.jdbc.JdbcResources;
import io.cages.resources.jms.EmbeddedBroker;
import io.cages.resources.jms.JmsResource;
import io.cages.resources.jms.JmsResources;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The resources of a host: JDBC pools, JMS pools, the embedded broker and transactions over them, as cages
 * see them through {@code context.database/queue/transaction}. Registered with ServiceLoader.
 *
 * <p>A change of the resources file is all or nothing: JMS resources are connected first (nothing live
 * changes), then the JDBC pools are reconfigured (all or nothing itself), then the JMS ones switched; a
 * failure at any step closes what was opened and leaves every live resource as it was.
 */
public final class HostResourceProvider implements ResourceProvider, StateStore {

    private static final Logger LOG = LoggerFactory.getLogger(HostResourceProvider.class);
    private static final Duration RETIRE_GRACE = Duration.ofSeconds(30);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    // CONCURRENCY: written by start() (before any cage runs) and close(); read by cage threads through the
    // handles, hence volatile. reconfigure() is synchronized with start() and close().
    private volatile ResourceContext context;
    private volatile JdbcResources jdbc;
    private volatile JmsResources jms;
    private EmbeddedBrokerSettings brokerSettings = EmbeddedBrokerSettings.NONE;
    private EmbeddedBroker broker;
    private volatile DurableCalls durable;
    private volatile CageStates states;
    private String stateDatabase;

    @Override
    public synchronized void start(ResourceContext context, JsonNode config) throws Exception {
        this.context = context;
        JdbcDrivers.register(); // in the background; before any database is opened, possibly lazily from a cage's thread
        ResourcesFile file = ResourcesFile.parse(config, System::getenv);
        if (file.broker().enabled()) {
            EmbeddedBrokerSettings b = file.broker();
            Path dir = context.config().workDir().resolve("broker");
            broker = EmbeddedBroker.start(dir, b.inVmId(), b.tcpPort(), b.tcpBind(), b.maxDeliveryAttempts());
            LOG.info("embedded broker started: vm://{}{}, journal under {}", b.inVmId(),
                    b.tcpPort() >= 0 ? " and tcp://" + b.tcpBind() + ":" + b.tcpPort() : "", dir);
        }
        brokerSettings = file.broker();
        jdbc = new JdbcResources(Map.of(), System::getenv, RETIRE_GRACE);
        jms = new JmsResources(System::getenv, RETIRE_GRACE);
        try {
            apply(file);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        durable = new DurableCalls(context, this::jdbcResource, file.durable());
        durable.start();
        stateDatabase = file.stateDatabase();
        states = stateDatabase == null
                ? CageStates.embedded(context.config().workDir().resolve("state"), this::currentDeadline)
                : CageStates.on(() -> jdbc.get(stateDatabase), this::currentDeadline);
    }

    @Override
    public synchronized void reconfigure(JsonNode config) {
        ResourcesFile file = ResourcesFile.parse(config, System::getenv);
        if (!file.broker().equals(brokerSettings)) {
            throw new IllegalArgumentException("embeddedBroker settings take effect at the next host start; put them back as "
                    + "they were to apply the other changes");
        }
        if (!java.util.Objects.equals(file.stateDatabase(), stateDatabase)) {
            throw new IllegalArgumentException("state settings take effect at the next host start; put them back as "
                    + "they were to apply the other changes");
        }
        apply(file);
        durable.reconfigure(file.durable());
    }

    private void apply(ResourcesFile file) {
        JmsResources.Change jmsChange = jms.prepare(file.jms(), CONNECT_TIMEOUT);
        try {
            jdbc.reconfigure(file.jdbc());
        } catch (CageException e) {
            jmsChange.discard();
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (RuntimeException e) {
            jmsChange.discard();
            throw e;
        }
        jmsChange.apply();
    }

    @Override
    public Database database(String name) {
        return new BoundDatabase(name, this::jdbcResource, this::currentDeadline);
    }

    @Override
    public MessageQueue queue(String name) {
        return new BoundQueue(name, this::jmsResource, this::currentDeadline);
    }

    @Override
    public Transaction transaction() {
        String caller = context.currentCage();
        return new BoundTransaction(this::jdbcResource, this::jmsResource, durable, caller == null ? "host" : caller, currentDeadline());
    }

    @Override
    public DurableCall callDurably(String caller, String cage, String operation, Map<String, Object> params, String key,
                                   Duration expiry) throws CageException {
        return durable.store(caller, cage, operation, params, key, expiry);
    }

    @Override
    public DurableCall durableCall(String id) throws CageException {
        return durable.lookup(id);
    }

    @Override
    public JsonNode durableCalls(String cage, String status, int limit) throws CageException {
        return durable.list(cage, status, limit);
    }

    @Override
    public io.cages.host.admin.DurableCallCounts durableCallCounts() {
        DurableCalls d = durable;
        return d == null ? io.cages.host.admin.DurableCallCounts.NONE : d.counts();
    }

    @Override
    public boolean retryDurableCall(String id) throws CageException {
        return durable.retry(id);
    }

    @Override
    public boolean cancelDurableCall(String id) throws CageException {
        return durable.cancel(id);
    }

    @Override
    public Reply runOnce(String cage, String key, Deadline deadline, Callable<Reply> handler) throws Exception {
        return durable.runOnce(cage, key, deadline, handler);
    }

    @Override
    public Transaction transaction(StateFence fence) {
        String caller = context.currentCage();
        return new BoundTransaction(this::jdbcResource, this::jmsResource, durable, caller == null ? "host" : caller, currentDeadline(),
                states, fence);
    }

    @Override
    public CageState state(StateFence fence) {
        return states.state(fence);
    }

    @Override
    public long activate(String cage, String version) throws CageException {
        return states.activate(cage, version);
    }

    // Read through the volatile fields at each use: start() sets them before any cage runs.
    private JdbcResource jdbcResource(String name) throws CageException {
        JdbcDrivers.awaitRegistered(); // a lazy open may be a JVM's first use of DriverManager
        return jdbc.get(name);
    }

    private JmsResource jmsResource(String name) throws CageException {
        return jms.get(name);
    }

    private Deadline currentDeadline() {
        return context.currentDeadline();
    }

    @Override
    public JsonNode status() {
        ObjectNode out = HostJson.MAPPER.createObjectNode();
        jdbc.metrics().forEach((name, m) -> {
            ObjectNode n = out.putObject(name);
            n.put("kind", "jdbc");
            n.setAll((ObjectNode) HostJson.MAPPER.valueToTree(m));
        });
        jms.status().forEach((name, s) -> {
            ObjectNode n = out.putObject(name);
            n.put("kind", "jms");
            n.setAll((ObjectNode) HostJson.MAPPER.valueToTree(s));
        });
        return out;
    }

    @Override
    public synchronized void close() {
        if (durable != null) {
            durable.close(); // the relay first: it uses the pools
        }
        if (states != null) {
            states.close();
        }
        if (jms != null) {
            jms.close();
        }
        if (jdbc != null) {
            jdbc.close();
        }
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }
}
