package io.cages.api;

import java.util.List;
import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Work on several resources that commits together or not at all, under the current request's deadline
 * (best-effort group commit). Built from {@link CageContext#transaction}, run once with {@link #commit}:
 *
 * <pre>{@code
 * List<Object> results = context.transaction()
 *         .sql("inventory", c -> reserve(c, sku, quantity))
 *         .send("events", "billing.charges", json)
 *         .commit();
 * }</pre>
 *
 * Every part runs in parallel on a connection or session of its own. If all succeed before the deadline,
 * each is committed in the order added; if any fails or the deadline passes, all are rolled back and the
 * {@link CageException} names the failing part. A commit that fails after an earlier part committed cannot
 * be undone: the exception then says which parts committed (see the resources/tx README).
 *
 * @since 1.2
 */
@ProviderType
public interface Transaction {

    /** Adds SQL work on its own connection of {@code database}, autocommit off; its result is its entry. */
    <T> Transaction sql(String database, SqlWork<T> work);

    /** Adds a send of a text message to {@code destination} through {@code queue}; its entry is the message id. */
    Transaction send(String queue, String destination, String text, Map<String, String> properties);

    default Transaction send(String queue, String destination, String text) {
        return send(queue, destination, text, Map.of());
    }

    /**
     * Runs every part, then commits all or rolls back all.
     *
     * @return each part's result in the order added (entries may be null)
     */
    List<Object> commit() throws CageException;

    /**
     * Adds a durable call of {@code cage}'s {@code operation}, stored as an outbox row in this transaction's
     * database, on the same connection and in the same commit as that database's SQL work: the call is
     * delivered if and only if the transaction commits (no XA). Then as {@link CageRef#callDurably}. Its
     * entry in {@link #commit}'s results is the stored {@link DurableCall}.
     *
     * <p>The database is the one of this transaction's {@link #sql} parts (they must all name one database),
     * or the one named with {@link #outbox}; otherwise {@link #commit} fails with BAD_REQUEST before anything runs.
     *
     * @throws IllegalArgumentException naming what is wrong with the key
     * @since 2.2
     */
    Transaction callDurably(String cage, String operation, Map<String, ?> params, String key);

    /**
     * Names the database that stores this transaction's durable calls, when its SQL parts use several (or none).
     *
     * @since 2.2
     */
    Transaction outbox(String database);
}
