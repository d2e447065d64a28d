package io.cages.cagectl;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

/** {@code cagectl list}: the deployed cages, their versions and load. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List deployed cages: active version, running and queued requests, installed versions "
                + "with state and in-flight requests, source file.")
public final class ListCommand extends ShowCommand {

    @Override
    JsonNode answer() {
        return ctl.getArray("/cages");
    }

    @Override
    String table(JsonNode answer) {
        return Views.cages(answer);
    }
}
