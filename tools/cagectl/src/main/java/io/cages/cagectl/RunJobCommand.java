package io.cages.cagectl;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** {@code cagectl run-job [CAGE/]NAME}: fire a job once now, outside its schedule, and wait for its outcome. */
final class RunJobCommand implements CommandSpec.Action {

    static final CommandSpec SPEC = CommandSpec.withParameter("run-job", "Fire a scheduled job once now, outside "
                    + "its schedule, and wait for the run's outcome (bounded by its deadline).",
            "JOB", "The job's name, or CAGE/NAME when several cages have a job of that name (see 'cagectl jobs').",
            true, new RunJobCommand());

    @Override
    public int run(CageCtl ctl, Invocation invocation) {
        String job = invocation.parameter();
        int slash = job.indexOf('/');
        String query = slash < 0 ? "job=" + encode(job)
                : "job=" + encode(job.substring(slash + 1)) + "&cage=" + encode(job.substring(0, slash));
        AdminClient.Response response = ctl.client().post("/run-job?" + query);
        JsonNode body = Json.tryParse(response.body());
        if (body != null && body.isObject() && body.has("succeeded")) {
            String line = Json.text(body, "cage") + "/" + Json.text(body, "job") + " ran as " + Json.text(body, "requestId")
                    + ": " + Text.cell(Json.text(body, "outcome"));
            if (body.get("succeeded").asBoolean()) {
                ctl.out().println("OK: " + line);
                return ExitCodes.OK;
            }
            ctl.err().println("FAILED: " + line);
            return ExitCodes.FAILED;
        }
        ctl.err().println("FAILED: run-job " + job + ": " + Outcomes.describeError(response.status(), body, response.body()));
        return ExitCodes.FAILED;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
