package io.cages.cagectl;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/** {@code cagectl undeploy <cage>}: stop routing to a cage, drain it and remove it. */
@Command(name = "undeploy", mixinStandardHelpOptions = true,
        description = {"Undeploy a cage: stop routing to it, drain in-flight requests, uninstall it and delete "
                + "its jar from the deploy folder."})
public final class UndeployCommand implements Callable<Integer> {

    @ParentCommand
    CageCtl ctl;

    @Parameters(paramLabel = "CAGE", description = "Name of the cage (as shown by 'cagectl list').")
    String cage;

    @Override
    public Integer call() {
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
