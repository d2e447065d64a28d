package io.cages.cagectl;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/** {@code cagectl list}: the deployed cages, their versions and load. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List deployed cages: active version, running and queued requests, installed versions "
                + "with state and in-flight requests, source file.")
public final class ListCommand implements Callable<Integer> {

    @ParentCommand
    CageCtl ctl;

    @Option(names = "--json", description = "Print the admin API's JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        JsonNode cages = ctl.getArray("/cages");
        ctl.out().print(json ? Json.pretty(cages) + "\n" : Views.cages(cages));
        return ExitCodes.OK;
    }
}
