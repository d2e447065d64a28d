package io.cages.cagectl;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** {@code cagectl undeploy <cage>}: stop routing to a cage, drain it and remove it. */
final class UndeployCommand implements CommandSpec.Action {

    static final CommandSpec SPEC = CommandSpec.withParameter("undeploy", "Undeploy a cage: stop routing to "
                    + "it, drain in-flight requests, uninstall it and delete its jar from the deploy folder.",
            "CAGE", "Name of the cage (as shown by 'cagectl list').", true, new UndeployCommand());

    @Override
    public int run(CageCtl ctl, Invocation invocation) {
        String cage = invocation.parameter();
        AdminClient.Response response = ctl.client().post("/undeploy?cage="
                + URLEncoder.encode(cage, StandardCharsets.UTF_8) + "&origin=" + ctl.originParam());
        JsonNode body = Json.tryParse(response.body());
        if (response.status() == 404 && !Outcomes.isRecord(body)) {
            String message = Json.text(body, "message");
            ctl.err().println("FAILED: undeploy of " + cage + ": "
                    + (message == null ? "no such cage (HTTP 404)" : Text.cell(message)));
            return ExitCodes.FAILED;
        }
        return ctl.report(response, cage);
    }
}
