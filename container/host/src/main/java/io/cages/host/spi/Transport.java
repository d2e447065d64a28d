package io.cages.host.spi;


/**
 * A way into the host (HTTP, RPC, JMS, timers, files). Found with {@link java.util.ServiceLoader} on the
 * host's class path. A transport never knows cage internals: it builds {@link InboundRequest}s and maps
 * {@link Reply}s and {@link io.cages.api.CageException}s back to its protocol.
 *
 * <p>Lifecycle: {@link #start} once; on shutdown {@link #stopAccepting()} first (the host then drains
 * in-flight requests, whose replies the transport still delivers), then {@link #close()}.
 */
public interface Transport extends AutoCloseable {

    /** Short name for logs and config, e.g. {@code http}. */
    String name();

    /** Starts listening. Throwing aborts the host start. */
    void start(TransportContext context) throws Exception;

    /** Stops taking new requests (closes listeners) while letting in-flight ones answer. */
    void stopAccepting();

    /** Releases everything; bounded in time. */
    @Override
    void close();
}
