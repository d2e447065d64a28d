package io.cages.process.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.cages.api.CageContext;
import io.cages.api.CageException;
import io.cages.api.Request;
import io.cages.api.Response;
import io.cages.host.spi.AsyncCageHandler;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mode {@code pool} (Cocaine's): each request goes to a warm worker over the framed protocol (see {@link Worker}).
 * A request whose worker crashed is retried once on another worker when its operation is idempotent and its
 * deadline allows; otherwise it fails with a message naming the worker and how it died.
 *
 * <p>The common case holds no thread while the worker works: an idle worker is taken and its request frame
 * written on the dispatching thread, and the worker's reader thread finishes the request when the answer comes
 * (see {@link AsyncCageHandler}). A request that must wait (every worker busy, none started yet), a frame too
 * large to write without blocking, and a retry run the blocking path on a virtual thread of their own.
 */
final class PoolHandler implements AsyncCageHandler {

    private static final Logger LOG = LoggerFactory.getLogger(PoolHandler.class);
    /**
     * The largest frame written on the dispatching thread. An idle worker has read everything sent to it, so its
     * stdin pipe is empty, and a pipe holds at least a page: a frame this small is taken without blocking.
     */
    static final int INLINE_FRAME_BYTES = 2048;

    private final Manifest manifest;
    private final Path dir;
    private final WorkerPool pool;
    private final SelfTest selfTest;

    PoolHandler(Manifest manifest, Path dir, Consumer<String> failed) throws IOException {
        this.manifest = manifest;
        this.dir = dir;
        OsProcess.installLibraries(dir);
        this.pool = new WorkerPool(manifest, dir, failed);
        this.selfTest = new SelfTest(manifest);
    }

    @Override
    public void start(CageContext context) throws Exception {
        try {
            pool.startFirst();
        } catch (Exception e) {
            stop(); // the host calls stop() only after a start that returned
            throw e;
        }
    }

    @Override
    public void selfTest() throws Exception {
        selfTest.run(this);
    }

    @Override
    public CompletionStage<Response> handleAsync(Request request) {
        Worker worker = pool.tryAcquire();
        if (worker == null) {
            return onItsOwnThread(() -> handle(request, 1));
        }
        byte[] frame = Envelopes.requestFrame(request);
        if (frame.length > INLINE_FRAME_BYTES) {
            // The write could fill the pipe and block the dispatching thread: write from a virtual thread, on
            // the worker already taken, with the frame already made.
            return onItsOwnThread(() -> callOn(worker, request, frame));
        }
        CompletableFuture<Response> response = new CompletableFuture<>();
        worker.send(request.id(), frame, request.operation(), request.deadline()).whenComplete((answer, error) -> {
            pool.release(worker);
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause == null) {
                try {
                    response.complete(answer(answer, worker));
                } catch (CageException e) {
                    response.completeExceptionally(e);
                }
            } else if (cause instanceof WorkerLost lost && mayRetry(request, lost, 1)) {
                onItsOwnThread(() -> handle(request, 2)).whenComplete((retried, failure) -> {
                    if (failure == null) {
                        response.complete(retried);
                    } else {
                        response.completeExceptionally(failure);
                    }
                });
            } else {
                response.completeExceptionally(cause instanceof WorkerLost lost ? lostError(request, lost, 1) : cause);
            }
        });
        return response;
    }

    /** Blocking work of one request, run on a virtual thread of its own. */
    private interface BlockingCall {
        Response run() throws Exception;
    }

    private static CompletionStage<Response> onItsOwnThread(BlockingCall call) {
        CompletableFuture<Response> response = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                response.complete(call.run());
            } catch (Throwable t) {
                response.completeExceptionally(t);
            }
        });
        return response;
    }

    @Override
    public Response handle(Request request) throws Exception {
        return handle(request, 1);
    }

    /** Waits for a worker (the frame is made once it has one, so its remaining deadline is current). */
    private Response handle(Request request, int attempt) throws CageException {
        Worker worker = pool.acquire(request.deadline(), request.operation());
        return callOn(worker, request, attempt, Envelopes.requestFrame(request));
    }

    private Response callOn(Worker worker, Request request, byte[] frame) throws CageException {
        return callOn(worker, request, 1, frame);
    }

    /** Sends {@code frame} to {@code worker}, which this call gives back; a lost worker may mean one retry. */
    private Response callOn(Worker worker, Request request, int attempt, byte[] frame) throws CageException {
        JsonNode answer;
        try {
            answer = worker.call(request.id(), frame, request.operation(), request.deadline());
        } catch (WorkerLost lost) {
            if (!mayRetry(request, lost, attempt)) {
                throw lostError(request, lost, attempt);
            }
            answer = null;
        } finally {
            pool.release(worker);
        }
        return answer == null ? handle(request, attempt + 1) : answer(answer, worker);
    }

    private boolean mayRetry(Request request, WorkerLost lost, int attempt) {
        boolean retry = attempt == 1 && manifest.idempotent().contains(request.operation()) && lost.retryable()
                && !request.deadline().isExpired();
        if (retry) {
            LOG.warn("request {}: {}; '{}' is idempotent, so it is retried once on another worker",
                    request.id(), lost.getMessage(), request.operation());
        }
        return retry;
    }

    private static CageException lostError(Request request, WorkerLost lost, int attempt) {
        return CageException.internal(lost.getMessage() + " while serving '" + request.operation() + "' (request "
                + request.id() + (attempt > 1 ? ", already retried once" : "") + ")", null);
    }

    private static Response answer(JsonNode answer, Worker worker) throws CageException {
        if ("error".equals(answer.path("type").asText())) {
            throw Envelopes.error(answer, worker.who);
        }
        return Envelopes.answer(answer, worker.who);
    }

    @Override
    public void stop() {
        pool.close();
        pool.afterTermination(() -> ProcessCage.deleteQuietly(dir)); // a worker still starting may need its files
    }
}
