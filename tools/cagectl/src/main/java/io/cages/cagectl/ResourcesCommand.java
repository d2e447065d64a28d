package io.cages.cagectl;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

/** {@code cagectl resources}: the host's databases and queues with their pool counts. */
@Command(name = "resources", mixinStandardHelpOptions = true,
        description = "Show the host's databases and queues (configs/resources.json) with their pool counts.")
public final class ResourcesCommand extends ShowCommand {

    @Override
    JsonNode answer() {
        return ctl.getObject("/resources");
    }

    @Override
    String table(JsonNode answer) {
        return Views.resources(answer);
    }
}
