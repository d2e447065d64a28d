package io.cages.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The code of a cage. One instance serves one installed version of a cage, from {@link #start} to
 * {@link #stop}; {@link #handle} is called concurrently, each request on its own virtual thread, so the
 * implementation must be thread-safe. Blocking (JDBC, JMS, sleeping) inside {@code handle} is fine.
 *
 * <p>An operation that never blocks and answers within microseconds (it computes from its parameters and
 * memory) may be named in the manifest header {@code Cage-Non-Blocking: greet, lookup}. The host may then run
 * it on the thread that received the request, often a transport's I/O thread, and skip the hand-off to a
 * virtual thread and back. Such an operation must not wait: a call by name with {@code call} (use
 * {@code callAsync}), a database, queue or transaction is refused with an {@link IllegalStateException},
 * it is never interrupted at its deadline (it answers deadline-exceeded if the deadline passed as it ran),
 * and the host logs a warning when it holds its thread over 10 ms.
 *
 * <p>The host calls these methods; a cage never calls them itself.
 */
@ConsumerType
public interface CageHandler {

    /**
     * Called once before the first request. Throwing here fails the deployment: the previous version of the
     * cage (if any) stays active and the reason is reported.
     */
    default void start(CageContext context) throws Exception {
    }

    /**
     * Optional check run after {@link #start} and before this version takes traffic, for example a query
     * against the database it needs. Throwing fails the deployment exactly like a failing start.
     */
    default void selfTest() throws Exception {
    }

    /**
     * Serves one request. Throw a {@link CageException} to answer with a typed error; any other exception is
     * reported to the caller as {@link ErrorCode#INTERNAL} without its details, and logged by the host.
     *
     * @return the response, never {@code null} (use {@link Response#empty()})
     */
    Response handle(Request request) throws Exception;

    /**
     * Called once after this version has stopped taking traffic and its in-flight requests finished (or their
     * deadlines passed). Release what {@link #start} acquired.
     */
    default void stop() throws Exception {
    }
}
