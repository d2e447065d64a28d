package io.cages.testcages.failselftest;

import io.cages.api.CageContext;
import io.cages.api.CageHandler;
import io.cages.api.Request;
import io.cages.api.Response;

/**
 * Test cage whose self-test fails after a successful start. It says through a system property (shared by the
 * bundle's class loader and the test's) that its {@code stop()} ran, which must release what start acquired.
 */
public final class FailingSelfTestCage implements CageHandler {

    public static final String STOPPED = "cages.test.failselftest.stopped";

    @Override
    public void start(CageContext context) {
        System.clearProperty(STOPPED);
    }

    @Override
    public void stop() {
        System.setProperty(STOPPED, "true");
    }

    @Override
    public void selfTest() {
        throw new AssertionError("expected 42, got 41");
    }

    @Override
    public Response handle(Request request) {
        return Response.text("should never serve");
    }
}
