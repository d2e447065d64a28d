package io.cages.cagectl;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * A command that shows what one admin endpoint answers: as a table for people, or with {@code --json} as the
 * admin API's JSON for scripts. Subclasses say where the answer comes from and how its table looks.
 */
abstract class ShowCommand implements CommandSpec.Action {

    static final OptionSpec JSON = OptionSpec.flag("Print the admin API's JSON instead of a table.", "--json");

    /** The spec of a showing command: {@code --json} plus {@code more} options. */
    static CommandSpec spec(String name, String description, ShowCommand action, OptionSpec... more) {
        List<OptionSpec> options = new ArrayList<>(List.of(more));
        options.add(JSON);
        return CommandSpec.withoutParameter(name, description, List.copyOf(options), action);
    }

    /** The admin API's answer (may throw a CageCtlException, which becomes the exit code). */
    abstract JsonNode answer(CageCtl ctl, Invocation invocation);

    /** The answer as a table. */
    abstract String table(CageCtl ctl, JsonNode answer);

    @Override
    public final int run(CageCtl ctl, Invocation invocation) {
        JsonNode answer = answer(ctl, invocation);
        ctl.out().print(invocation.flag(JSON.name()) ? Json.pretty(answer) + "\n" : table(ctl, answer));
        return ExitCodes.OK;
    }
}
