package io.cages.cagectl;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code cagectl resources}: the host's databases and queues with their pool counts. */
final class ResourcesCommand extends ShowCommand {

    static final CommandSpec SPEC = spec("resources",
            "Show the host's databases and queues (configs/resources.json) with their pool counts.",
            new ResourcesCommand());

    @Override
    JsonNode answer(CageCtl ctl, Invocation invocation) {
        return ctl.getObject("/resources");
    }

    @Override
    String table(CageCtl ctl, JsonNode answer) {
        return Views.resources(answer);
    }
}
