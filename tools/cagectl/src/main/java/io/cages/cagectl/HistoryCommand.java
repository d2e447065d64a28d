package io.cages.cagectl;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code cagectl history}: past deploys, updates and undeploys, oldest first. */
@Command(name = "history", mixinStandardHelpOptions = true,
        description = "Show deploy, update and undeploy attempts and how they ended, oldest first.")
public final class HistoryCommand implements Callable<Integer> {

    @ParentCommand
    CageCtl ctl;

    @Spec
    CommandSpec spec;

    @Option(names = "--last", paramLabel = "N", description = "Only the newest N entries.")
    Integer last;

    @Mixin
    JsonOrTable output;

    @Override
    public Integer call() {
        if (last != null && last < 1) {
            throw new ParameterException(spec.commandLine(), "--last must be at least 1, not " + last);
        }
        JsonNode records = Views.last(ctl.getArray("/history"), last);
        output.print(ctl.out(), records, r -> Views.history(r, ctl.zone()));
        return ExitCodes.OK;
    }
}
