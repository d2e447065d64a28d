package io.cages.api;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Another cage, called by name: {@code context.cage("billing").call("charge", Map.of("amount", 10))}.
 *
 * <p>The call goes to the copy on this host when there is one, otherwise to a copy on another host of the
 * flock picked by load; it fails over to another copy when the call provably did not reach the first, or
 * when the operation is idempotent ({@code Cage-Idempotent} header of the callee). It runs within the
 * deadline of the request being handled (or the calling cage's own limit outside a request), and the callee
 * runs under whichever is earlier: that deadline or its own limit.
 *
 * <p>Pass-by-value: parameters are copied into a JSON-like tree before the callee sees them, and the result
 * is a fresh tree, even for a copy on this host. Records and beans are converted, so the callee never shares
 * the caller's objects.
 */
@ProviderType
public interface CageRef {

    /** The cage's name. */
    String name();

    /**
     * Calls {@code operation} and waits for its answer.
     *
     * @throws CageException the callee's typed error (its message names cage, operation and host), or
     *                       {@link ErrorCode#DEADLINE_EXCEEDED}, or {@link ErrorCode#NOT_FOUND} when no host
     *                       of the flock runs the cage, or {@link ErrorCode#UNAVAILABLE} when no copy could
     *                       be reached
     */
    CallResult call(String operation, Map<String, ?> params) throws CageException;

    /** As {@link #call(String, Map)}, with a raw body and its media type. */
    CallResult call(String operation, Map<String, ?> params, byte[] body, String contentType) throws CageException;

    /** As {@link #call(String, Map)}, without waiting; the future fails with a {@link CageException}. */
    CompletableFuture<CallResult> callAsync(String operation, Map<String, ?> params);

    /** As {@link #callAsync(String, Map)}, with a raw body and its media type. */
    CompletableFuture<CallResult> callAsync(String operation, Map<String, ?> params, byte[] body, String contentType);

    /**
     * Stores a call of {@code operation} for the host to deliver, and returns once it is stored durably (the
     * host's own database): the host delivers it by name with back-off until the cage answers or the call
     * expires (24 hours), and the cage executes it at most once per {@code key} within its dedupe window
     * (72 hours by default). A call made while handling a durable call gets the parent's key in front of its
     * own ({@code parent/key}), so a retried parent does not repeat its children's effects. To store the call
     * in the same commit as database work, use {@link Transaction#callDurably} instead.
     *
     * @param key 1 to 200 characters: letters, digits and {@code - _ . : @}
     * @return the stored call (PENDING), with the id to look it up by ({@link CageContext#durableCall})
     * @throws IllegalArgumentException naming what is wrong with the key
     * @throws CageException            UNAVAILABLE when the call could not be stored (then it was not)
     * @since 2.2
     */
    default DurableCall callDurably(String operation, Map<String, ?> params, String key) throws CageException {
        return callDurably(operation, params, key, null);
    }

    /**
     * As {@link #callDurably(String, Map, String)}, expiring after {@code expiry} (null: the host's default).
     *
     * @since 2.2
     */
    DurableCall callDurably(String operation, Map<String, ?> params, String key, Duration expiry) throws CageException;
}
