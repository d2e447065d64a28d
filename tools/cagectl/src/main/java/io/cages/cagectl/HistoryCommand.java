package io.cages.cagectl;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code cagectl history}: past deploys, updates and undeploys, oldest first. */
final class HistoryCommand extends ShowCommand {

    static final OptionSpec LAST = OptionSpec.wholeNumber("--last", "N", "Only the newest N entries.");

    static final CommandSpec SPEC = spec("history",
            "Show deploy, update and undeploy attempts and how they ended, oldest first.", new HistoryCommand(), LAST);

    @Override
    JsonNode answer(CageCtl ctl, Invocation invocation) {
        Integer last = invocation.number(LAST.name());
        if (last != null && last < 1) {
            throw ArgumentParser.usage(SPEC, "'--last' must be at least 1, got " + last);
        }
        return Views.last(ctl.getArray("/history"), last);
    }

    @Override
    String table(CageCtl ctl, JsonNode answer) {
        return Views.history(answer, ctl.zone());
    }
}
