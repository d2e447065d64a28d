package io.cages.host;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * A handler's response as transports see it. A value is already converted to a JSON tree by the cage
 * version that produced it, so transports never hold on to cage classes (which would pin an old version's
 * class loader after a swap).
 *
 * @param value       the value as a tree, or null when the reply carries bytes or nothing
 * @param body        raw bytes, or null when the reply carries a value
 * @param contentType media type of {@code body}, or null
 * @param attributes  response attributes (HTTP sends {@code header.<name>} ones as headers)
 * @param version     version of the cage that answered
 */
public record Reply(JsonNode value, byte[] body, String contentType, Map<String, String> attributes, String version) {
}
