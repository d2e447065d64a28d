package io.cages.cagectl;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** {@code cagectl rollback <cage>}: swap a cage back to the version it ran before its last deploy. */
final class RollbackCommand implements CommandSpec.Action {

    static final CommandSpec SPEC = CommandSpec.withParameter("rollback", "Swap a cage back, live, to the version "
                    + "it ran before its last deploy (the host keeps one previous version per cage until it restarts).",
            "CAGE", "Name of the cage (as shown by 'cagectl list').", true, new RollbackCommand());

    @Override
    public int run(CageCtl ctl, Invocation invocation) {
        String cage = invocation.parameter();
        AdminClient.Response response = ctl.client().post("/rollback?cage="
                + URLEncoder.encode(cage, StandardCharsets.UTF_8) + "&origin=" + ctl.originParam());
        JsonNode body = Json.tryParse(response.body());
        if (!Outcomes.isRecord(body)) {
            ctl.err().println("FAILED: rollback of " + cage + ": " + Outcomes.describeError(response.status(), body, response.body()));
            return ExitCodes.FAILED;
        }
        return ctl.report(response, cage);
    }
}
