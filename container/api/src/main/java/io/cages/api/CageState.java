package io.cages.api;

import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Documents the host keeps for a cage NAME, not for one of its versions: they survive swaps, host restarts
 * and moving the cage to another host on the same state database. Reached with {@link CageContext#state}.
 *
 * <p>A document is a set of named fields under a key. Writes touch only the fields they name, so a version
 * never overwrites fields it does not know: after a rollback to an older version, the fields a newer version
 * added are still there. Field values are JSON-like: {@code String}, {@code Long} (any integral number is
 * read back as a Long), {@code Double} (floats as well), {@code Boolean}, {@code null}, and nested
 * {@code Map<String, ?>} / {@code List<?>} of the same.
 *
 * <pre>{@code
 * CageState state = context.state();
 * state.put("order-17", Map.of("status", "reserved", "items", List.of("a", "b")));
 * long seen = state.increment("stats", "orders", 1);
 * Map<String, Object> order = state.get("order-17");   // {status=reserved, items=[a, b]}
 * }</pre>
 *
 * <p><b>Fencing.</b> Only the version that is active holds the cage's state epoch; once a different version
 * becomes active (on any host sharing the state database), writes by the old one are refused with
 * UNAVAILABLE naming the cage, the refused version and the version that holds the epoch. Requests the old
 * version admitted before the switch may still write while it drains (the host vouches for them until the
 * version is retired); its background threads and anything after its retirement may not. Reads are never
 * fenced. Before a version is active (its start and self-test) it may write only if the epoch already names
 * its own version (a restart, or another host running it).
 *
 * <p>Every call is bounded by the current request's deadline and is atomic on its own; several calls that must
 * commit together (with each other or with work on other resources) go into one
 * {@link Transaction#state transaction}. Keys and field names are 1 to 200 characters without control
 * characters; a field's value, as JSON, is at most 64 KiB. Violations fail with BAD_REQUEST naming what was
 * wrong; an unreachable state database with UNAVAILABLE.
 *
 * @since 2.2
 */
@ProviderType
public interface CageState {

    /** The fields stored under {@code key}: an unmodifiable map, empty when there is no such document. */
    Map<String, Object> get(String key) throws CageException;

    /**
     * Sets the given fields of {@code key} (creating the document if needed); fields not named keep their
     * values. A null value stores a field whose value is null; use {@link #remove} to drop a field.
     */
    void put(String key, Map<String, ?> fields) throws CageException;

    /** Removes the named fields of {@code key}; the other fields stay. Missing fields are ignored. */
    void remove(String key, String... fields) throws CageException;

    /** Removes the whole document {@code key}, every field, including ones this version does not know. */
    void delete(String key) throws CageException;

    /**
     * Adds {@code delta} to the integral field {@code field} of {@code key} atomically in the database
     * (a missing field counts as 0) and returns the new value.
     *
     * @throws CageException BAD_REQUEST when the field holds something other than an integral number
     */
    long increment(String key, String field, long delta) throws CageException;
}
