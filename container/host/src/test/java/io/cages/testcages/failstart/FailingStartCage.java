package io.cages.testcages.failstart;

import io.cages.api.CageContext;
import io.cages.api.CageHandler;
import io.cages.api.Request;
import io.cages.api.Response;

/** Test cage whose start throws. */
public final class FailingStartCage implements CageHandler {

    @Override
    public void start(CageContext context) {
        throw new IllegalStateException("database 'orders' unreachable");
    }

    @Override
    public Response handle(Request request) {
        return Response.text("should never serve");
    }
}
