package io.cages.host.spi;

import io.cages.api.CageException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * Collects a streamed reply into bytes for a transport that carries whole messages, up to that transport's
 * limit. Past it the producer's write fails (so it stops) and the caller hears why, with the way out.
 */
final class CollectingSink implements StreamSink {

    private final int maxBytes;
    private final String limitName;
    private final ByteArrayOutputStream collected = new ByteArrayOutputStream();
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private volatile CageException overflow;

    CollectingSink(int maxBytes, String limitName) {
        this.maxBytes = maxBytes;
        this.limitName = limitName;
    }

    CompletableFuture<byte[]> bytes() {
        return result;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        if (overflow != null) {
            throw new IOException(overflow.getMessage());
        }
        if (result.isDone()) {
            throw new IOException("the stream was ended");
        }
        if ((long) collected.size() + length > maxBytes) {
            overflow = CageException.badRequest("stream larger than the " + limitName + " of " + maxBytes + " bytes; call it over HTTP");
            throw new IOException(overflow.getMessage());
        }
        collected.write(bytes, offset, length);
    }

    @Override
    public void end() {
        if (overflow != null) {
            result.completeExceptionally(overflow);
        } else {
            result.complete(collected.toByteArray());
        }
    }

    @Override
    public void abort(CageException cause) {
        result.completeExceptionally(overflow != null ? overflow : cause);
    }
}
