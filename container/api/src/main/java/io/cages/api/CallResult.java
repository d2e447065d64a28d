package io.cages.api;

import org.osgi.annotation.versioning.ProviderType;

/** The answer of a cage called by name: a value tree or raw bytes, and who answered. */
@ProviderType
public interface CallResult {

    /**
     * The value as a plain tree (maps, lists, strings, numbers, booleans), or {@code null} when the callee
     * answered bytes or nothing.
     */
    Object value();

    /**
     * The value bound to {@code type} (a record or bean).
     *
     * @throws CageException {@link ErrorCode#INTERNAL} naming what did not fit: the callee answered
     *                       something this caller does not understand
     */
    <T> T value(Class<T> type) throws CageException;

    /** Raw bytes, or {@code null} when the callee answered a value. */
    byte[] body();

    /** Media type of {@link #body()}, or {@code null}. */
    String contentType();

    /** Version of the cage that answered. */
    String version();

    /** Name of the host that answered. */
    String host();
}
