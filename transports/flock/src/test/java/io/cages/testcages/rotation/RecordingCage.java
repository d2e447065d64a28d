package io.cages.testcages.rotation;

import io.cages.api.CageContext;
import io.cages.api.CageException;
import io.cages.api.CageHandler;
import io.cages.api.Request;
import io.cages.api.Response;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;

/**
 * Test cage: {@code run?id=} records that it ran call {@code id} (how many times, per id) in the map the test put in
 * the system property {@link #EXECUTED} (java.* types only cross the bundle), and answers the id.
 */
public final class RecordingCage implements CageHandler {

    /** System property holding a {@code ConcurrentMap<String, Integer>}: call id to how often it ran. */
    public static final String EXECUTED = "cages.test.rotation.executed";

    @Override
    public void start(CageContext context) {
    }

    @Override
    @SuppressWarnings("unchecked")
    public Response handle(Request request) throws Exception {
        if (!"run".equals(request.operation())) {
            throw CageException.notFound("no operation " + request.operation());
        }
        String id = request.param("id");
        ((ConcurrentMap<String, Integer>) System.getProperties().get(EXECUTED)).merge(id, 1, Integer::sum);
        return Response.of(Map.of("id", id));
    }
}
