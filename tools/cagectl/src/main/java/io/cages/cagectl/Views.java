package io.cages.cagectl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/** Renders the admin API's arrays as tables for people. */
public final class Views {

    private Views() {
    }

    /** {@code GET /cages}: one row per cage, one line per installed version. */
    public static String cages(JsonNode cages) {
        if (cages.isEmpty()) {
            return "no cages deployed\n";
        }
        Table table = new Table("CAGE", "ACTIVE", "RUNNING", "QUEUED", "VERSIONS", "SOURCE").alignRight(2, 3);
        for (JsonNode cage : cages) {
            table.row(Text.cell(cage, "name"), Text.cell(cage, "activeVersion"), Text.cell(cage, "running"),
                    Text.cell(cage, "queued"), versions(cage.get("versions")), Text.cell(cage, "source"));
        }
        return table.render();
    }

    /** The versions cell: {@code 1.0.1 ACTIVE, 2 in flight}, one version per line. */
    static String versions(JsonNode versions) {
        if (versions == null || !versions.isArray() || versions.isEmpty()) {
            return Text.NONE;
        }
        List<String> lines = new ArrayList<>();
        for (JsonNode v : versions) {
            String line = Text.cell(v, "version") + " " + Text.cell(v, "state");
            String inFlight = Json.text(v, "inFlight");
            if (inFlight != null) {
                line += ", " + inFlight + " in flight";
            }
            lines.add(line);
        }
        return String.join("\n", lines);
    }

    /** {@code GET /history}, oldest first as the host returns it. */
    public static String history(JsonNode records, ZoneId zone) {
        if (records.isEmpty()) {
            return "no deploys yet\n";
        }
        Table table = new Table("SEQ", "TIME", "ACTION", "CAGE", "VERSION", "WAS", "OUTCOME", "MS", "ORIGIN",
                "REASON").alignRight(0, 7);
        for (JsonNode r : records) {
            table.row(Text.cell(r, "seq"), Text.time(r.get("at"), zone), Text.cell(r, "action"),
                    Text.cell(r, "cage"), Text.cell(r, "version"), Text.cell(r, "previous"),
                    Text.cell(r, "outcome"), Text.cell(r, "durationMs"), Text.cell(r, "origin"),
                    Text.cell(r, "reason"));
        }
        return table.render();
    }

    /** {@code GET /config-problems}. */
    public static String problems(JsonNode problems, ZoneId zone) {
        if (problems.isEmpty()) {
            return "no config problems\n";
        }
        Table table = new Table("FILE", "SINCE", "REASON");
        for (JsonNode p : problems) {
            table.row(Text.cell(p, "file"), Text.time(p.get("at"), zone), Text.cell(p, "reason"));
        }
        return table.render();
    }

    /** {@code GET /jobs}. */
    public static String jobs(JsonNode jobs, ZoneId zone) {
        if (jobs.isEmpty()) {
            return "no scheduled jobs\n";
        }
        Table table = new Table("JOB", "SCHEDULE", "NEXT", "LAST RUN", "OUTCOME", "FIRED", "SKIPPED", "RUNNING")
                .alignRight(5, 6, 7);
        for (JsonNode j : jobs) {
            table.row(Text.cell(j, "cage") + "/" + Text.cell(j, "name"), Text.cell(j, "schedule"),
                    Text.time(j.get("nextFire"), zone), Text.time(j.get("lastStarted"), zone),
                    j.get("running").asInt() > 0 && !j.hasNonNull("lastOutcome") ? "running" : Text.cell(j, "lastOutcome"),
                    Text.cell(j, "fired"), Text.cell(j, "skipped"), Text.cell(j, "running"));
        }
        return table.render();
    }

    /** {@code GET /health/flock}: one row per cage per host, then a line with the counts by status. */
    public static String health(JsonNode view, ZoneId zone) {
        StringBuilder out = new StringBuilder();
        JsonNode entries = view.path("entries");
        if (entries.isEmpty()) {
            out.append("no cages probed yet\n");
        } else {
            Table table = new Table("HOST", "CAGE", "VERSION", "STATUS", "SINCE", "LAST PROBE", "REASON");
            java.util.Map<String, Integer> counts = new java.util.TreeMap<>();
            for (JsonNode e : entries) {
                table.row(Text.cell(e, "host"), Text.cell(e, "cage"), Text.cell(e, "version"), Text.cell(e, "status"),
                        Text.time(e.get("since"), zone), Text.time(e.get("lastProbe"), zone), Text.cell(e, "reason"));
                counts.merge(Json.text(e, "status"), 1, Integer::sum);
            }
            out.append(table.render());
            out.append(counts.entrySet().stream().map(c -> c.getValue() + " " + c.getKey()).collect(java.util.stream.Collectors.joining(", ")));
            out.append('\n');
        }
        out.append("host ").append(Text.cell(view, "host")).append(" is ").append(Text.cell(view, "state"))
                .append("; probes every ").append(Text.cell(view, "periodMs")).append(" ms, timeout ")
                .append(Text.cell(view, "timeoutMs")).append(" ms\n");
        return out.toString();
    }

    /** {@code GET /resources}: one row per resource, the pool counts its kind has. */
    public static String resources(JsonNode resources) {
        if (resources.isEmpty()) {
            return "no resources configured\n";
        }
        Table table = new Table("RESOURCE", "KIND", "IN USE", "IDLE", "WAITING", "MAX", "TARGET").alignRight(2, 3, 4, 5);
        resources.fields().forEachRemaining(e -> {
            JsonNode r = e.getValue();
            if ("jms".equals(Json.text(r, "kind"))) {
                table.row(e.getKey(), "jms", Text.cell(r, "leasedSessions") + " sessions", Text.NONE, Text.NONE,
                        Text.cell(r, "maxConnections") + " x " + Text.cell(r, "maxSessionsPerConnection"), Text.cell(r, "brokerUrl"));
            } else {
                table.row(e.getKey(), Text.cell(r, "kind"), Text.cell(r, "active"), Text.cell(r, "idle"),
                        Text.cell(r, "waiting"), Text.cell(r, "max"), Text.NONE);
            }
        });
        return table.render();
    }

    /** The last {@code n} elements of a JSON array (all of it when {@code n} is null or larger). */
    public static JsonNode last(JsonNode array, Integer n) {
        if (n == null || n >= array.size()) {
            return array;
        }
        ArrayNode tail = JsonNodeFactory.instance.arrayNode();
        for (int i = array.size() - n; i < array.size(); i++) {
            tail.add(array.get(i));
        }
        return tail;
    }
}
