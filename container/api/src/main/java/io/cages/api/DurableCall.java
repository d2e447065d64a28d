package io.cages.api;

import java.time.Instant;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A durable call: stored before its id was returned, delivered by the host with back-off until the target
 * answers or the call expires, and executed at most once on the target per key. A snapshot: look the call up
 * again with {@link CageContext#durableCall} to see its progress.
 *
 * <pre>{@code
 * DurableCall call = context.cage("billing").callDurably("charge", Map.of("order", id), "charge-" + id);
 * // later, from anywhere on a host that reaches the same database:
 * DurableCall now = context.durableCall(call.id());
 * if (now.status() == DurableCall.Status.DONE) { ... now.value() ... }
 * }</pre>
 *
 * @since 2.2
 */
@ProviderType
public interface DurableCall {

    /** Where a durable call is. */
    enum Status {
        /** Stored, not answered yet (waiting for its next attempt or being delivered). */
        PENDING,
        /** The target answered; {@link #value()} is its answer. */
        DONE,
        /** The target answered with an error that retrying cannot change; {@link #error()} is it. */
        FAILED,
        /** Not answered before {@link #expiresAt()}; it may or may not have taken effect: the target's key says. */
        EXPIRED,
        /** Cancelled by an operator before it was answered. */
        CANCELLED
    }

    /** The id to look the call up by; it names where the call is stored. */
    String id();

    /** The key the target executes once, already combined with the parent's key for a nested call. */
    String key();

    /** The called cage. */
    String cage();

    /** The called operation. */
    String operation();

    Status status();

    /** The answer as a plain tree (maps, lists, strings, numbers, booleans), or null (not done, or no value). */
    Object value();

    /** The typed error of a FAILED or EXPIRED call (EXPIRED: DEADLINE_EXCEEDED naming the last failure), else null. */
    CageException error();

    /** Delivery attempts so far. */
    int attempts();

    /** When the call stops being delivered and becomes EXPIRED. */
    Instant expiresAt();
}
