package io.cages.host.spi;

import io.cages.api.CageHandler;
import io.cages.api.Request;
import io.cages.api.Response;
import java.util.concurrent.CompletionStage;

/**
 * A handler, built by a {@link CageRuntime}, that answers without holding a thread while it waits: a process
 * pool worker's answer arrives on the thread that reads the worker's stdout, and nothing else needs to wake.
 *
 * <p>The host calls {@link #handleAsync} on the thread that admitted the request (a transport's thread, or
 * a caller's) instead of {@link #handle} on a virtual thread of the request's own. That saves a thread start
 * and two wake-ups per request, which is most of the host's cost in front of a fast worker. In exchange the
 * method must not block: anything that might wait (a free worker, a large write) belongs on a thread the
 * handler starts itself.
 *
 * <p>Deadlines: the host answers DEADLINE_EXCEEDED at the request's deadline whether or not the stage has
 * completed, and interrupts nothing; the handler must end its own work by then. The request stays in flight
 * (its version entered, its admission slot held) until the stage completes, so a version drains its
 * asynchronous requests before it stops, like its others.
 */
public interface AsyncCageHandler extends CageHandler {

    /**
     * Starts handling a request and returns at once.
     *
     * @return a stage completed with the response, or exceptionally with a {@link io.cages.api.CageException}
     *         (any other exception is reported to the caller as an internal error and logged)
     */
    CompletionStage<Response> handleAsync(Request request);
}
