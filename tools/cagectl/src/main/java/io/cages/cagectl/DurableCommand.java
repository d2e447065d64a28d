package io.cages.cagectl;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** {@code cagectl durable}: stored durable calls, newest first: pending (in flight or waiting), done, failed, expired, cancelled. */
final class DurableCommand extends ShowCommand {

    static final OptionSpec CAGE = OptionSpec.text("--cage", "CAGE", "Only calls to this cage.");
    static final OptionSpec STATUS = OptionSpec.text("--status", "STATUS", "Only calls in this status: pending, done, failed, expired or cancelled.");
    static final OptionSpec LIMIT = OptionSpec.wholeNumber("--limit", "N", "At most N calls per outbox database (default 100).");
    static final CommandSpec SPEC = spec("durable",
            "Show stored durable calls, newest first: target, key, status (pending calls being delivered show 'in flight'),"
                    + " attempts, next attempt or expiry, last error.",
            new DurableCommand(), CAGE, STATUS, LIMIT);

    @Override
    JsonNode answer(CageCtl ctl, Invocation invocation) {
        StringBuilder query = new StringBuilder("/durable-calls?limit=")
                .append(invocation.value(LIMIT.name()) == null ? "100" : invocation.value(LIMIT.name()));
        for (OptionSpec o : new OptionSpec[] {CAGE, STATUS}) {
            String v = invocation.value(o.name());
            if (v != null) {
                query.append('&').append(o.name().substring(2)).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
        }
        return ctl.getArray(query.toString());
    }

    @Override
    String table(CageCtl ctl, JsonNode answer) {
        if (answer.isEmpty()) {
            return "no durable calls stored\n";
        }
        Table table = new Table("ID", "TARGET", "KEY", "STATUS", "ATTEMPTS", "NEXT / FINISHED", "EXPIRES", "LAST ERROR").alignRight(4);
        for (JsonNode c : answer) {
            String status = Json.text(c, "status");
            boolean pending = "pending".equals(status);
            table.row(Text.cell(c, "id"), Text.cell(c, "cage") + "/" + Text.cell(c, "operation"), Text.cell(c, "key"),
                    pending && c.path("inFlight").asBoolean() ? "in flight" : status, Text.cell(c, "attempts"),
                    Text.time(pending ? c.get("nextAttempt") : c.get("finished"), ctl.zone()), Text.time(c.get("expires"), ctl.zone()),
                    Text.cell(c, "error"));
        }
        return table.render();
    }

    /** {@code cagectl durable-retry ID} and {@code cagectl durable-cancel ID}. */
    static final class Operate implements CommandSpec.Action {

        static final CommandSpec RETRY = CommandSpec.withParameter("durable-retry", "Deliver a stored durable call again now"
                + " (a failed, expired or cancelled one gets a new expiry).", "ID", "The call's id (see 'cagectl durable').", true, new Operate("retry"));
        static final CommandSpec CANCEL = CommandSpec.withParameter("durable-cancel", "Cancel a pending durable call: it is not"
                + " delivered again (one being delivered right now may still take effect).", "ID", "The call's id (see 'cagectl durable').",
                true, new Operate("cancel"));

        private final String verb;

        private Operate(String verb) {
            this.verb = verb;
        }

        @Override
        public int run(CageCtl ctl, Invocation invocation) {
            String id = invocation.parameter();
            AdminClient.Response response = ctl.client().post("/durable-calls/" + verb + "?id=" + URLEncoder.encode(id, StandardCharsets.UTF_8));
            if (response.status() == 200) {
                ctl.out().println("OK: " + verb + " durable call " + id);
                return ExitCodes.OK;
            }
            JsonNode body = Json.tryParse(response.body());
            ctl.err().println("FAILED: " + verb + " durable call " + id + ": " + Outcomes.describeError(response.status(), body, response.body()));
            return ExitCodes.FAILED;
        }
    }
}
