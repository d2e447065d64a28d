package io.cages.testcages.rolling;

import io.cages.api.CageContext;
import io.cages.api.CageException;
import io.cages.api.CageHandler;
import io.cages.api.Request;
import io.cages.api.Response;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test cage for rolling updates: {@code work?id=..} answers with its id and version. Version {@value #FAULTY}
 * fails every third request. Every answer, failed or not, is recorded as {@code id version ok|failed} where the
 * test reads it ({@link #ANSWERED}), so the test compares what clients saw with what the cages did.
 */
public final class RollingCage implements CageHandler {

    public static final String FAULTY = "1.0.1";
    /** System property holding a Queue of {@code id version ok|failed}, one per answer. */
    public static final String ANSWERED = "cages.test.rolling.answered";

    private final AtomicLong served = new AtomicLong();
    private volatile CageContext context;

    @Override
    public void start(CageContext context) {
        this.context = context;
    }

    @Override
    public Response handle(Request request) throws Exception {
        String id = request.param("id");
        String version = context.version();
        boolean fail = FAULTY.equals(version) && served.incrementAndGet() % 3 == 0;
        answered().add(id + " " + version + " " + (fail ? "failed" : "ok"));
        if (fail) {
            throw CageException.internal("version " + version + " fails every third request (request " + id + ")", null);
        }
        return Response.of(Map.of("id", id, "version", version));
    }

    @SuppressWarnings("unchecked")
    public static Queue<String> answered() {
        synchronized (System.getProperties()) {
            return (Queue<String>) System.getProperties().computeIfAbsent(ANSWERED, k -> new ConcurrentLinkedQueue<>());
        }
    }
}
