package io.cages.cagectl;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code cagectl rollouts}: guarded deploys on the host and how they ended. */
final class RolloutsCommand extends ShowCommand {

    static final CommandSpec SPEC = spec("rollouts",
            "Show guarded deploys (deploy --watch) on the host: passed, rolled back, failed or still watching, and why.",
            new RolloutsCommand());

    @Override
    JsonNode answer(CageCtl ctl, Invocation invocation) {
        return ctl.getArray("/rollouts");
    }

    @Override
    String table(CageCtl ctl, JsonNode answer) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode r : answer) {
            sb.append('#').append(Json.text(r, "id")).append(' ')
                    .append(FlockRollout.lineOf(new AdminClient.Response(200, ""), r)).append('\n');
        }
        return sb.length() == 0 ? "no guarded deploys\n" : sb.toString();
    }
}
