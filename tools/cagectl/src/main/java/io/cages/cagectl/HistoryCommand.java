package io.cages.cagectl;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code cagectl history}: past deploys, updates and undeploys, oldest first. */
@Command(name = "history", mixinStandardHelpOptions = true,
        description = "Show deploy, update and undeploy attempts and how they ended, oldest first.")
public final class HistoryCommand extends ShowCommand {

    @Spec
    CommandSpec spec;

    @Option(names = "--last", paramLabel = "N", description = "Only the newest N entries.")
    Integer last;

    @Override
    JsonNode answer() {
        if (last != null && last < 1) {
            throw new ParameterException(spec.commandLine(), "--last must be at least 1, not " + last);
        }
        return Views.last(ctl.getArray("/history"), last);
    }

    @Override
    String table(JsonNode answer) {
        return Views.history(answer, ctl.zone());
    }
}
