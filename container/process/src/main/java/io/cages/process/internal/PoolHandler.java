package io.cages.process.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cages.api.CageContext;
import io.cages.api.CageException;
import io.cages.api.CageHandler;
import io.cages.api.Request;
import io.cages.api.Response;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mode {@code pool} (Cocaine's): each request goes to a warm worker over the framed protocol (see {@link Worker}).
 * A request whose worker crashed is retried once on another worker when its operation is idempotent and its
 * deadline allows; otherwise it fails with a message naming the worker and how it died.
 */
final class PoolHandler implements CageHandler {

    private static final Logger LOG = LoggerFactory.getLogger(PoolHandler.class);

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
    public Response handle(Request request) throws Exception {
        boolean idempotent = manifest.idempotent().contains(request.operation());
        for (int attempt = 1; ; attempt++) {
            Worker worker = pool.acquire(request.deadline(), request.operation());
            ObjectNode envelope = Envelopes.request(request);
            JsonNode answer;
            try {
                answer = worker.call(envelope, request.operation(), request.deadline());
            } catch (WorkerLost lost) {
                if (attempt == 1 && idempotent && lost.retryable() && !request.deadline().isExpired()) {
                    LOG.warn("request {}: {}; '{}' is idempotent, so it is retried once on another worker",
                            request.id(), lost.getMessage(), request.operation());
                    continue;
                }
                throw CageException.internal(lost.getMessage() + " while serving '" + request.operation() + "' (request "
                        + request.id() + (attempt > 1 ? ", already retried once" : "") + ")", null);
            } finally {
                pool.release(worker);
            }
            if ("error".equals(answer.path("type").asText())) {
                throw Envelopes.error(answer, worker.who);
            }
            return Envelopes.answer(answer, worker.who);
        }
    }

    @Override
    public void stop() {
        pool.close();
        pool.afterTermination(() -> ProcessCage.deleteQuietly(dir)); // a worker still starting may need its files
    }
}
