package io.cages.api;

import java.io.OutputStream;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Produces the body of a streamed answer ({@link Response#stream}), so a handler can answer with more bytes
 * than it could hold in memory: an export, a report, a file.
 *
 * <p>The host calls {@link #writeTo} once, after {@link CageHandler#handle} returned, on the request's own
 * virtual thread (never on a transport's I/O thread), and the request stays in flight until it returns: it
 * holds its admission slot, a live swap waits for it like for any other request, and the request's deadline
 * still ends it.
 */
@ConsumerType
@FunctionalInterface
public interface BodyWriter {

    /**
     * Writes the whole body to {@code out} and returns; the host closes {@code out}.
     *
     * <p>{@code out.write} blocks while the transport's buffer is full (a slow client slows the writer down, and
     * the host never holds more than a bounded amount of the body in memory). It throws an
     * {@link java.io.IOException} whose message says why the stream cannot go on: the client disconnected, the
     * deadline passed, or the body outgrew what a transport that cannot stream collects (see
     * {@link Response#stream}). The writer should then stop; writing on keeps failing.
     *
     * <p>Throwing ends the stream abnormally. Before any byte went out the caller gets the usual error answer
     * (a {@link CageException} its own code and message, anything else {@link ErrorCode#INTERNAL}, as from
     * {@link CageHandler#handle}); after that, HTTP cuts the response (the connection closes without the final
     * chunk) so the client can tell the body is incomplete. The host logs the failure with the request id.
     */
    void writeTo(OutputStream out) throws Exception;
}
