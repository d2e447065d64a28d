package io.cages.dist.filecage;

import io.cages.api.CageContext;
import io.cages.api.CageHandler;
import io.cages.api.Request;
import io.cages.api.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Test cage for the folder watch across a kill -9: each handled file leaves one entry in the ledger folder (from
 * its config, {@code ledger}), {@code <file name>#<random>}, created before the handler answers. A file handled
 * twice leaves two entries, whatever happened to the host in between.
 */
public final class FileLedgerCage implements CageHandler {

    private volatile Path ledger;

    @Override
    public void start(CageContext context) {
        ledger = Path.of(context.config().string("ledger", "ledger"));
    }

    @Override
    public Response handle(Request request) throws Exception {
        Thread.sleep(5); // each file takes a moment, so a kill lands in the middle of the run
        String name = request.attributes().get("file.name");
        String body = new String(request.body(), java.nio.charset.StandardCharsets.UTF_8);
        if (!body.equals("content of " + name)) {
            name = name + ".PARTIAL";
        }
        Files.createFile(ledger.resolve(name + "#" + UUID.randomUUID()));
        return Response.empty();
    }
}
