package io.cages.cagectl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code cagectl resources}: the host's databases and queues with their pool counts. */
@Command(name = "resources", mixinStandardHelpOptions = true,
        description = "Show the host's databases and queues (configs/resources.json) with their pool counts.")
public final class ResourcesCommand implements Callable<Integer> {

    @ParentCommand
    CageCtl ctl;

    @Option(names = "--json", description = "Print the admin API's JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        JsonNode resources = ctl.getObject("/resources");
        ctl.out().print(json ? Json.pretty(resources) + "\n" : Views.resources(resources));
        return ExitCodes.OK;
    }
}
