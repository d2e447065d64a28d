package io.cages.api;

import java.sql.Connection;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A database the host owns and pools, reached by its resource name from {@link CageContext#database}. The
 * pool outlives cage versions, so a swap opens no connection. The handle is cheap and stays valid when the
 * resource is reconfigured; an unknown name fails on use (NOT_FOUND), not on lookup.
 *
 * <p>Everything is bounded by the current request's deadline: waiting for a connection ends at it, and a
 * statement still running when it passes is cancelled.
 *
 * @since 1.2
 */
@ProviderType
public interface Database {

    /** The resource name. */
    String name();

    /**
     * Runs {@code work} on a borrowed connection (autocommit on) and returns it to the pool. A statement cut
     * off by the deadline becomes DEADLINE_EXCEEDED, an unreachable database or exhausted pool UNAVAILABLE,
     * any other SQL failure INTERNAL; each names the resource.
     */
    <T> T use(SqlWork<T> work) throws CageException;

    /**
     * Borrows a connection for work that does not fit {@link #use}; close it (try-with-resources) to give it
     * back. Not closing it holds a pooled connection until the host reclaims it.
     */
    Connection connection() throws CageException;
}
