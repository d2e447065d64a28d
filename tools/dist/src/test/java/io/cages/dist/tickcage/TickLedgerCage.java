package io.cages.dist.tickcage;

import io.cages.api.CageContext;
import io.cages.api.CageHandler;
import io.cages.api.Request;
import io.cages.api.Response;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Test cage for one-host-per-tick jobs: each run leaves {@code <scheduled tick>#<host>} in a ledger folder all the
 * test's hosts share (config keys {@code ledger}, {@code host}). A tick fired on two hosts leaves two entries.
 */
public final class TickLedgerCage implements CageHandler {

    private volatile Path ledger;
    private volatile String host;

    @Override
    public void start(CageContext context) {
        ledger = Path.of(context.config().string("ledger", "ledger"));
        host = context.config().string("host", "?");
    }

    @Override
    public Response handle(Request request) throws Exception {
        String tick = request.attributes().get("job.scheduled").replace(':', '-');
        Files.createFile(ledger.resolve(tick + "#" + host));
        return Response.empty();
    }
}
