package io.cages.host.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.cages.api.CageException;
import io.cages.api.CageState;
import io.cages.api.Database;
import io.cages.api.Deadline;
import io.cages.api.DurableCall;
import io.cages.api.MessageQueue;
import io.cages.api.SqlWork;
import io.cages.api.StateWork;
import io.cages.api.Transaction;
import io.cages.host.admin.ConfigProblem;
import io.cages.host.HostConfig;
import io.cages.host.spi.ResourceContext;
import io.cages.host.spi.ResourceProvider;
import io.cages.host.spi.Reply;
import io.cages.host.spi.Settings;
import io.cages.host.spi.StateFence;
import io.cages.host.spi.StateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's side of resources: it feeds the resources file to the {@link ResourceProvider} at start and on
 * every change, keeps the reason when a change is rejected (the previous resources stay), and hands cages
 * their handles. Without a provider on the class path, every use fails with a clear UNAVAILABLE.
 */
final class HostResources implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HostResources.class);

    private final Path file;
    private final ResourceProvider provider;
    // CONCURRENCY: lastSeen is only touched by start() and scan(), which are synchronized.
    private byte[] lastSeen;
    private volatile ConfigProblem problem;
    /** Set once the dispatcher exists (after the provider started); until then durable calls wait in their store. */
    private volatile DurableDelivery delivery;

    private HostResources(Path file, ResourceProvider provider) {
        this.file = file;
        this.provider = provider;
    }

    /**
     * Starts the provider with the file's content.
     *
     * @throws IllegalArgumentException naming the file when it is unreadable or invalid, or names resources
     *                                  while no provider is on the class path
     */
    static HostResources start(HostConfig config, ResourceProvider provider) throws Exception {
        HostResources resources = new HostResources(config.resourcesFile(), provider);
        resources.startProvider(config);
        return resources;
    }

    private synchronized void startProvider(HostConfig config) throws Exception {
        byte[] bytes = read();
        lastSeen = bytes;
        JsonNode tree;
        try {
            tree = parse(bytes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        if (provider == null) {
            if (!tree.isEmpty()) {
                throw new IllegalArgumentException(file + ": names resources, but no resource provider is on the host's class path");
            }
            return;
        }
        ResourceContext context = new ResourceContext() {
            @Override
            public HostConfig config() {
                return config;
            }

            @Override
            public Deadline currentDeadline() {
                // Every resource use asks for the deadline first, and every one blocks: a handle taken in start()
                // is refused here as well.
                CurrentRequest.refuseIfNonBlocking("use a database, queue or transaction");
                return CurrentRequest.deadlineOf(CurrentRequest.get(), config.cageDefaults().timeoutMs());
            }

            @Override
            public String currentCage() {
                io.cages.api.Request current = CurrentRequest.get();
                return current == null ? null : current.cage();
            }

            @Override
            public CompletableFuture<JsonNode> deliverDurably(String caller, String cage, String operation,
                                                              Map<String, Object> params, String key, Deadline deadline) {
                DurableDelivery d = delivery;
                return d != null ? d.deliver(caller, cage, operation, params, key, deadline)
                        : CompletableFuture.failedFuture(CageException.unavailable("the host is still starting; not executed"));
            }
        };
        try {
            provider.start(context, tree);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** Applies the file if it changed since the last look. Called by the host's watcher. */
    synchronized void scan() {
        if (provider == null) {
            return;
        }
        byte[] bytes;
        try {
            bytes = read();
        } catch (IOException e) {
            reject("cannot read: " + e.getMessage());
            return;
        }
        if (Arrays.equals(bytes, lastSeen)) {
            return;
        }
        lastSeen = bytes;
        try {
            provider.reconfigure(parse(bytes));
            problem = null;
            LOG.info("resources reconfigured from {}", file);
        } catch (IllegalArgumentException e) {
            reject(e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("resources from {} could not be applied; the previous ones stay", file, e);
            reject(e.toString());
        }
    }

    private void reject(String reason) {
        problem = new ConfigProblem(file.toString(), reason, Instant.now());
        // The same level and wording as a rejected cage config (CageConfigs): both are an operator's edit not in force.
        LOG.error("resources file {} rejected: {}; the previous resources stay in force", file, reason);
    }

    List<ConfigProblem> problems() {
        ConfigProblem p = problem;
        return p == null ? List.of() : List.of(p);
    }

    JsonNode status() {
        return provider == null ? JsonNodeFactory.instance.objectNode() : provider.status();
    }

    Database database(String name) {
        return provider != null ? provider.database(name) : new Missing(name);
    }

    MessageQueue queue(String name) {
        return provider != null ? provider.queue(name) : new Missing(name);
    }

    Transaction transaction() {
        return provider != null ? provider.transaction() : new Missing("transaction");
    }

    void deliverThrough(DurableDelivery delivery) {
        this.delivery = delivery;
    }

    DurableCall callDurably(String caller, String cage, String operation, Map<String, Object> params, String key, Duration expiry)
            throws CageException {
        if (provider == null) {
            throw new Missing("durable calls").unavailable();
        }
        return provider.callDurably(caller, cage, operation, params, key, expiry);
    }

    DurableCall durableCall(String id) throws CageException {
        if (provider == null) {
            throw new Missing("durable calls").unavailable();
        }
        return provider.durableCall(id);
    }

    JsonNode durableCalls(String cage, String status, int limit) throws CageException {
        return provider == null ? JsonNodeFactory.instance.arrayNode() : provider.durableCalls(cage, status, limit);
    }

    io.cages.host.admin.DurableCallCounts durableCallCounts() {
        return provider == null ? io.cages.host.admin.DurableCallCounts.NONE : provider.durableCallCounts();
    }

    boolean retryDurableCall(String id) throws CageException {
        return provider != null && provider.retryDurableCall(id);
    }

    boolean cancelDurableCall(String id) throws CageException {
        return provider != null && provider.cancelDurableCall(id);
    }

    /** Runs a durable call's handler once per key (see {@link ResourceProvider#runOnce}). */
    Reply runOnce(String cage, String key, Deadline deadline, Callable<Reply> handler) throws Exception {
        if (provider == null) {
            throw new Missing("durable calls").unavailable();
        }
        return provider.runOnce(cage, key, deadline, handler);
    }

    /** A transaction whose state parts are fenced by {@code fence} (when the provider keeps cage state). */
    Transaction transaction(StateFence fence) {
        return provider instanceof StateStore store ? store.transaction(fence) : transaction();
    }

    CageState state(StateFence fence) {
        return provider instanceof StateStore store ? store.state(fence) : new Missing("state");
    }

    /** See {@link StateStore#activate}; 0 when this host keeps no cage state. */
    long activateState(String cage, String version) throws CageException {
        return provider instanceof StateStore store ? store.activate(cage, version) : 0;
    }

    private byte[] read() throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new byte[0];
        }
    }

    private JsonNode parse(byte[] bytes) {
        if (bytes.length == 0) {
            return JsonNodeFactory.instance.objectNode();
        }
        JsonNode tree = Settings.parse(bytes); // its errors never quote the file: it holds passwords
        if (!tree.isObject()) {
            throw new IllegalArgumentException("must be a JSON object");
        }
        return tree;
    }

    @Override
    public void close() {
        if (provider != null) {
            try {
                provider.close();
            } catch (RuntimeException e) {
                LOG.warn("resource provider failed to close", e);
            }
        }
    }

    /** What cages get when the host has no resource provider: every use says so. */
    private record Missing(String name) implements Database, MessageQueue, Transaction, CageState {

        private CageException unavailable() {
            return CageException.unavailable("no resources on this host (no resource provider on its class path): cannot use '" + name + "'");
        }

        @Override
        public <T> T use(SqlWork<T> work) throws CageException {
            throw unavailable();
        }

        @Override
        public Connection connection() throws CageException {
            throw unavailable();
        }

        @Override
        public String send(String destination, String text, Map<String, String> properties) throws CageException {
            throw unavailable();
        }

        @Override
        public <T> Transaction sql(String database, SqlWork<T> work) {
            return this;
        }

        @Override
        public Transaction send(String queue, String destination, String text, Map<String, String> properties) {
            return this;
        }

        @Override
        public Transaction callDurably(String cage, String operation, Map<String, ?> params, String key) {
            return this;
        }

        @Override
        public Transaction outbox(String database) {
            return this;
        }

        @Override
        public <T> Transaction state(StateWork<T> work) {
            return this;
        }

        @Override
        public List<Object> commit() throws CageException {
            throw unavailable();
        }

        @Override
        public Map<String, Object> get(String key) throws CageException {
            throw unavailable();
        }

        @Override
        public void put(String key, Map<String, ?> fields) throws CageException {
            throw unavailable();
        }

        @Override
        public void remove(String key, String... fields) throws CageException {
            throw unavailable();
        }

        @Override
        public void delete(String key) throws CageException {
            throw unavailable();
        }

        @Override
        public long increment(String key, String field, long delta) throws CageException {
            throw unavailable();
        }
    }
}
