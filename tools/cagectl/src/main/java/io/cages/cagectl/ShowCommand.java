package io.cages.cagectl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * A command that shows what one admin endpoint answers: as a table for people, or with {@code --json} as the
 * admin API's JSON for scripts. Subclasses say where the answer comes from and how its table looks.
 */
abstract class ShowCommand implements Callable<Integer> {

    @ParentCommand
    CageCtl ctl;

    @Option(names = "--json", description = "Print the admin API's JSON instead of a table.")
    boolean json;

    /** The admin API's answer (may throw a CageCtlException, which picocli's handler turns into an exit code). */
    abstract JsonNode answer();

    /** The answer as a table. */
    abstract String table(JsonNode answer);

    @Override
    public final Integer call() {
        JsonNode answer = answer();
        ctl.out().print(json ? Json.pretty(answer) + "\n" : table(answer));
        return ExitCodes.OK;
    }
}
