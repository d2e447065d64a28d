package io.cages.cagectl;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code cagectl list}: the deployed cages, their versions and load. */
final class ListCommand extends ShowCommand {

    static final CommandSpec SPEC = spec("list", "List deployed cages: active version, running and queued "
            + "requests, installed versions with state and in-flight requests, source file.", new ListCommand());

    @Override
    JsonNode answer(CageCtl ctl, Invocation invocation) {
        return ctl.getArray("/cages");
    }

    @Override
    String table(CageCtl ctl, JsonNode answer) {
        return Views.cages(answer);
    }
}
