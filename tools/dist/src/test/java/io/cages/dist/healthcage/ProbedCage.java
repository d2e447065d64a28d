package io.cages.dist.healthcage;

import io.cages.api.CageContext;
import io.cages.api.CageHandler;
import io.cages.api.Request;
import io.cages.api.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Test cage for the health monitor: its self-test fails while the file its config names ({@code brokenIf})
 * exists, so a test breaks it on one host by creating that file, with nothing else changing.
 */
public final class ProbedCage implements CageHandler {

    private volatile Path brokenIf;

    @Override
    public void start(CageContext context) {
        String file = context.config().string("brokenIf", null);
        brokenIf = file == null ? null : Path.of(file);
    }

    @Override
    public void selfTest() {
        Path flag = brokenIf;
        if (flag != null && Files.exists(flag)) {
            throw new IllegalStateException("broken on purpose: " + flag.getFileName() + " exists");
        }
    }

    @Override
    public Response handle(Request request) {
        return Response.of(Map.of("ok", true));
    }
}
