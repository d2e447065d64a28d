package io.cages.cagectl;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/** {@code cagectl problems}: config files the host rejected. */
@Command(name = "problems", mixinStandardHelpOptions = true,
        description = "Show config files the host rejected; the previous config of those cages stays in force.")
public final class ProblemsCommand implements Callable<Integer> {

    @ParentCommand
    CageCtl ctl;

    @Option(names = "--json", description = "Print the admin API's JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        JsonNode problems = ctl.getArray("/config-problems");
        ctl.out().print(json ? Json.pretty(problems) + "\n" : Views.problems(problems, ctl.zone()));
        return ExitCodes.OK;
    }
}
