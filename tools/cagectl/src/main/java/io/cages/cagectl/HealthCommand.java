package io.cages.cagectl;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code cagectl health}: the health monitor's matrix, every cage on every host of the flock with its status
 * ({@code GET /health/flock}). Exits 0 when every cage is up (or just restarted, which serves), 1 otherwise, so a
 * script or a cron check can act on it.
 */
final class HealthCommand implements CommandSpec.Action {

    static final CommandSpec SPEC = CommandSpec.withoutParameter("health",
            "Show every cage on every host of the flock with its health (up, degraded, down, restarted), reason and"
                    + " last probe; exits 1 when anything is not up.",
            java.util.List.of(ShowCommand.JSON), new HealthCommand());

    @Override
    public int run(CageCtl ctl, Invocation invocation) {
        JsonNode answer = ctl.getObject("/health/flock");
        ctl.out().print(invocation.flag(ShowCommand.JSON.name()) ? Json.pretty(answer) + "\n" : Views.health(answer, ctl.zone()));
        return allUp(answer) ? ExitCodes.OK : ExitCodes.FAILED;
    }

    /** True when the host serves and every entry is up or restarted. */
    static boolean allUp(JsonNode view) {
        if (!"serving".equals(Json.text(view, "state"))) {
            return false;
        }
        for (JsonNode e : view.path("entries")) {
            String status = Json.text(e, "status");
            if (!"up".equals(status) && !"restarted".equals(status)) {
                return false;
            }
        }
        return true;
    }
}
