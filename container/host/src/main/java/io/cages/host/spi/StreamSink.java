package io.cages.host.spi;

import io.cages.api.CageException;
import java.io.IOException;

/**
 * Where a transport takes the bytes of a streamed reply ({@link ReplyStream#open}). The host calls it from
 * the producer's thread (a virtual thread of the request), except {@link #abort}, which may come from any
 * thread (the deadline timer), also while a {@link #write} blocks.
 */
public interface StreamSink {

    /**
     * Takes bytes, blocking while the transport holds as many unsent bytes as it allows (that bound is what
     * keeps a streamed answer's memory small). The sink must not keep {@code bytes} after returning.
     *
     * @throws IOException          when the bytes cannot be delivered, with a message that says why (for
     *                              example "the client disconnected"); every later write fails too
     * @throws InterruptedException when the producer's thread is interrupted while waiting (its deadline)
     */
    void write(byte[] bytes, int offset, int length) throws IOException, InterruptedException;

    /** The body is complete: finish it normally (HTTP: the final chunk). Nothing is called after it. */
    void end();

    /**
     * The stream failed ({@code cause} says how: the producer threw, the deadline passed). A sink that sent
     * nothing yet may answer {@code cause} as an ordinary error; otherwise it must end the body so that the
     * receiver can tell it is incomplete (HTTP: close the connection without the final chunk). Idempotent,
     * and a no-op after {@link #end}.
     */
    void abort(CageException cause);
}
