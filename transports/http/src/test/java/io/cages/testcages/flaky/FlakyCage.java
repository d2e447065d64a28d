package io.cages.testcages.flaky;

import io.cages.api.CageContext;
import io.cages.api.CageException;
import io.cages.api.CageHandler;
import io.cages.api.Request;
import io.cages.api.Response;
import java.util.Map;

/** Test cage for rollouts: {@code work} answers with the version, except that a 2.x version fails every request. */
public final class FlakyCage implements CageHandler {

    private volatile CageContext context;

    @Override
    public void start(CageContext context) {
        this.context = context;
    }

    @Override
    public Response handle(Request request) throws Exception {
        if (context.version().startsWith("2.")) {
            throw CageException.internal("version " + context.version() + " is broken on purpose", null);
        }
        return Response.of(Map.of("version", context.version()));
    }
}
