package io.cages.cagectl;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * The {@code --json} option of the commands that show something (a picocli mixin): the admin API's answer as
 * it came, for scripts, or the command's table, for people.
 */
final class JsonOrTable {

    @Option(names = "--json", description = "Print the admin API's JSON instead of a table.")
    boolean json;

    void print(PrintWriter out, JsonNode answer, Function<JsonNode, String> table) {
        out.print(json ? Json.pretty(answer) + "\n" : table.apply(answer));
    }
}
