package io.cages.host.spi;

import com.fasterxml.jackson.databind.JsonNode;
import io.cages.api.CageException;
import io.cages.api.Database;
import io.cages.api.Deadline;
import io.cages.api.DurableCall;
import io.cages.api.MessageQueue;
import io.cages.api.Transaction;
import io.cages.host.HostConfig;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The databases, brokers and transactions a host offers its cages. Found with {@link java.util.ServiceLoader}
 * on the host's class path (at most one); it reads the host's resources file ({@link HostConfig#resourcesFile()}).
 *
 * <p>Lifecycle: {@link #start} before any cage starts and before the transports, so cages can use resources in
 * their own start and transports can reach an embedded broker; {@link #reconfigure} whenever the file
 * changes; {@link #close} after the transports closed.
 *
 * <p>The handles it returns are looked up by name on every use, so they stay valid across reconfiguration
 * and fail with NOT_FOUND naming the known resources when the name is unknown.
 */
public interface ResourceProvider extends AutoCloseable {

    /**
     * Opens the resources of {@code config} (the file's JSON object; empty when there is no file).
     *
     * @throws IllegalArgumentException naming the resource and what is wrong; the host does not start
     */
    void start(ResourceContext context, JsonNode config) throws Exception;

    /**
     * Applies a changed file all or nothing: every entry is validated and every new connection opened before
     * anything changes. Resized pools keep their connections; in-flight work on a replaced pool finishes.
     *
     * @throws IllegalArgumentException naming the resource and what is wrong; the previous resources stay
     */
    void reconfigure(JsonNode config);

    Database database(String name);

    MessageQueue queue(String name);

    /** A transaction under the current request's deadline. */
    Transaction transaction();

    /**
     * Stores a durable call made outside a transaction (see {@code CageRef.callDurably}); returns once it is
     * stored. {@code params} is already a plain tree. The provider delivers it through
     * {@link ResourceContext#deliverDurably}.
     *
     * @since 2.2 of the cage API
     */
    default DurableCall callDurably(String caller, String cage, String operation, Map<String, Object> params, String key,
                                    Duration expiry) throws CageException {
        throw CageException.unavailable("this host's resource provider does not store durable calls");
    }

    /** A stored durable call by id (see {@code CageContext.durableCall}). */
    default DurableCall durableCall(String id) throws CageException {
        throw CageException.unavailable("this host's resource provider does not store durable calls");
    }

    /**
     * Runs the handler of a durable call to {@code cage} at most once per {@code key}: the provider records the
     * key and the answer in the cage's dedupe table in the same commit as the handler's work on that database,
     * and answers a key it has seen with the stored answer (or error) without running the handler.
     */
    default Reply runOnce(String cage, String key, Deadline deadline, Callable<Reply> handler) throws Exception {
        throw CageException.unavailable("this host's resource provider cannot run durable calls once (no dedupe table)");
    }

    /** Stored durable calls for operators (see {@code Admin.durableCalls}); an empty array when there are none. */
    default JsonNode durableCalls(String cage, String status, int limit) throws CageException {
        return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
    }

    /**
     * Counts of the stored durable calls and the relay's outcomes, for the host's metrics (read at each scrape:
     * the provider bounds and caches the queries behind it); {@code NONE} by default.
     */
    default io.cages.host.admin.DurableCallCounts durableCallCounts() {
        return io.cages.host.admin.DurableCallCounts.NONE;
    }

    /** Makes a stored durable call due again now; false when there is no such call (or it is done). */
    default boolean retryDurableCall(String id) throws CageException {
        return false;
    }

    /** Cancels a pending durable call; false when there is no such pending call. */
    default boolean cancelDurableCall(String id) throws CageException {
        return false;
    }

    /** Pool counts per resource, for the admin API; never credentials. */
    JsonNode status();

    /** Closes every pool and the embedded broker; bounded in time. */
    @Override
    void close();
}
