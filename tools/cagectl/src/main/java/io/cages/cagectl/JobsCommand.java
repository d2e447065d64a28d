package io.cages.cagectl;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code cagectl jobs}: scheduled jobs with their next fire time, last run and last outcome. */
final class JobsCommand extends ShowCommand {

    static final CommandSpec SPEC = spec("jobs",
            "Show scheduled jobs (timers, cron): schedule, next fire time, last run, last outcome, counters.",
            new JobsCommand());

    @Override
    JsonNode answer(CageCtl ctl, Invocation invocation) {
        return ctl.getArray("/jobs");
    }

    @Override
    String table(CageCtl ctl, JsonNode answer) {
        return Views.jobs(answer, ctl.zone());
    }
}
