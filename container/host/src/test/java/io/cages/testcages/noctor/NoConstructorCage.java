package io.cages.testcages.noctor;

import io.cages.api.CageHandler;
import io.cages.api.Request;
import io.cages.api.Response;

/** Test cage the host cannot instantiate. */
public final class NoConstructorCage implements CageHandler {

    public NoConstructorCage(String needed) {
    }

    @Override
    public Response handle(Request request) {
        return Response.empty();
    }
}
