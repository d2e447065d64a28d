package io.cages.testcages.probed;

import io.cages.api.CageContext;
import io.cages.api.CageHandler;
import io.cages.api.Request;
import io.cages.api.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * Test cage for the health monitor: each self-test appends a line to the file its config names ({@code log}), so
 * a test counts how often it ran; it fails while the file {@code brokenIf} exists and takes a second while
 * {@code slowIf} exists.
 */
public final class SelfTestLogCage implements CageHandler {

    private volatile Path log;
    private volatile Path brokenIf;
    private volatile Path slowIf;

    @Override
    public void start(CageContext context) {
        log = Path.of(context.config().string("log", "selftests.log"));
        brokenIf = Path.of(context.config().string("brokenIf", "broken"));
        slowIf = Path.of(context.config().string("slowIf", "slow"));
    }

    @Override
    public void selfTest() throws Exception {
        Files.writeString(log, "ran\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        if (Files.exists(brokenIf)) {
            throw new IllegalStateException("broken on purpose");
        }
        if (Files.exists(slowIf)) {
            Thread.sleep(1_000); // a self-test that hangs past the bound
        }
    }

    @Override
    public Response handle(Request request) {
        return Response.of(Map.of("ok", true));
    }
}
