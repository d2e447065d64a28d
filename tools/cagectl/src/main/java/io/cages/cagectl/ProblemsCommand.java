package io.cages.cagectl;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code cagectl problems}: config files the host rejected. */
final class ProblemsCommand extends ShowCommand {

    static final CommandSpec SPEC = spec("problems",
            "Show config files the host rejected; the previous config of those cages stays in force.",
            new ProblemsCommand());

    @Override
    JsonNode answer(CageCtl ctl, Invocation invocation) {
        return ctl.getArray("/config-problems");
    }

    @Override
    String table(CageCtl ctl, JsonNode answer) {
        return Views.problems(answer, ctl.zone());
    }
}
