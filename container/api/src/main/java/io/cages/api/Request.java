package io.cages.api;

import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * One request to a cage, independent of the transport that carried it.
 *
 * <p>Parameters form a JSON-like tree: a map of names to strings, numbers, booleans, {@code null}, lists and
 * nested maps. HTTP fills it from the query string, a JSON object body or a form; other transports from
 * their own payload. {@link #params(Class)} binds the same tree to a record or bean.
 */
@ProviderType
public interface Request {

    /** Unique id of this request, also returned to the client (HTTP: {@code X-Request-Id}). */
    String id();

    /** Name of the cage the request is for. */
    String cage();

    /** Operation name, for example {@code greet} in {@code POST /hello/greet}. */
    String operation();

    /** The parameter tree; never {@code null}, possibly empty. Unmodifiable. */
    Map<String, Object> params();

    /**
     * The parameter tree bound to {@code type} (a record or a bean). Unknown names are ignored.
     *
     * @throws CageException {@link ErrorCode#BAD_REQUEST} naming the parameter that could not be bound
     */
    <T> T params(Class<T> type) throws CageException;

    /** One parameter as text, or {@code null} when absent. Numbers and booleans are given in JSON form. */
    String param(String name);

    /** The raw body bytes (empty when there was none). Not copied: do not modify. */
    byte[] body();

    /** Media type of {@link #body()}, or {@code null}. */
    String contentType();

    /**
     * Transport attributes, for example {@code http.method}, {@code remote.address} and headers as
     * {@code header.<lower-case-name>}. Unmodifiable.
     */
    Map<String, String> attributes();

    /** Who is calling: {@code http:<address>} for HTTP clients, a cage name for cage-to-cage calls. */
    String caller();

    /** When this request must be answered by; already capped by the cage's own limit. */
    Deadline deadline();
}
