package io.cages.testcages.failselftest;

import io.cages.api.CageHandler;
import io.cages.api.Request;
import io.cages.api.Response;

/** Test cage whose self-test fails. */
public final class FailingSelfTestCage implements CageHandler {

    @Override
    public void selfTest() {
        throw new AssertionError("expected 42, got 41");
    }

    @Override
    public Response handle(Request request) {
        return Response.text("should never serve");
    }
}
