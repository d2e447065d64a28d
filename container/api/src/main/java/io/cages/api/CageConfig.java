package io.cages.api;

import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A cage's configuration: the JSON object in {@code configs/cages/<cage>.json}, empty when there is no file.
 * A snapshot: when the file changes the host hands a new {@code CageConfig} to
 * {@link CageContext#onConfigChange} listeners, and {@link CageContext#config()} returns the new one.
 */
@ProviderType
public interface CageConfig {

    /** The whole tree, unmodifiable. */
    Map<String, Object> asMap();

    /** A top-level value as text, or {@code fallback} when absent or null. */
    String string(String key, String fallback);

    /** A top-level integer value, or {@code fallback} when absent. */
    long number(String key, long fallback);

    /** A top-level boolean value, or {@code fallback} when absent. */
    boolean flag(String key, boolean fallback);

    /**
     * The tree bound to {@code type} (a record or bean).
     *
     * @throws IllegalArgumentException naming what could not be bound
     */
    <T> T as(Class<T> type);
}
