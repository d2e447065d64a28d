package io.cages.api;

import java.util.function.Consumer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What the host gives a running cage version. Implemented by the host only.
 */
@ProviderType
public interface CageContext {

    /** The cage's name, from its {@code Cage-Name} header. */
    String cageName();

    /** This version, from the bundle's {@code Bundle-Version}. */
    String version();

    /** The cage's current configuration. */
    CageConfig config();

    /**
     * Registers a listener for configuration changes. It runs after the new configuration is in force,
     * never concurrently with itself; a listener that throws is logged and does not stop the change.
     * Listeners end with this cage version.
     */
    void onConfigChange(Consumer<CageConfig> listener);

    /** A logger named after the cage, routed to the host's log. */
    System.Logger logger();

    /**
     * Another cage, to call by name. Cheap: call it per request or keep the reference.
     *
     * @throws IllegalArgumentException when {@code name} is not a valid cage name
     * @since 1.1
     */
    CageRef cage(String name);

    /**
     * A database the host pools, by its resource name in {@code configs/resources.json}.
     *
     * @since 1.2
     */
    Database database(String name);

    /**
     * A message broker the host pools, by its resource name in {@code configs/resources.json}.
     *
     * @since 1.2
     */
    MessageQueue queue(String name);

    /**
     * A new transaction under the current request's deadline (outside a request: the cage's default timeout).
     *
     * @since 1.2
     */
    Transaction transaction();

    /**
     * A durable call by its id ({@link DurableCall#id()}), as stored now.
     *
     * @throws CageException NOT_FOUND when no such call is stored (or it was purged after its dedupe window),
     *                       BAD_REQUEST when the id is malformed, UNAVAILABLE when its database is not reachable
     * @since 2.2
     */
    DurableCall durableCall(String id) throws CageException;
}
