package io.cages.cagectl;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

/** {@code cagectl problems}: config files the host rejected. */
@Command(name = "problems", mixinStandardHelpOptions = true,
        description = "Show config files the host rejected; the previous config of those cages stays in force.")
public final class ProblemsCommand extends ShowCommand {

    @Override
    JsonNode answer() {
        return ctl.getArray("/config-problems");
    }

    @Override
    String table(JsonNode answer) {
        return Views.problems(answer, ctl.zone());
    }
}
