package io.cages.api;

import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A message broker the host owns and pools (JMS), reached by its resource name from
 * {@link CageContext#queue}. Sends are persistent: a send that returned is in the broker's journal. Waiting
 * for a pooled session ends at the current request's deadline. An unknown name fails on use (NOT_FOUND).
 *
 * @since 1.2
 */
@ProviderType
public interface MessageQueue {

    /** The resource name. */
    String name();

    /**
     * Sends a text message to the queue {@code destination}.
     *
     * @param properties string properties set on the message (may be empty)
     * @return the message id the broker assigned
     */
    String send(String destination, String text, Map<String, String> properties) throws CageException;

    default String send(String destination, String text) throws CageException {
        return send(destination, text, Map.of());
    }
}
