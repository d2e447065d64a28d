package io.cages.cagectl;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.jar.JarFile;

/**
 * {@code cagectl deploy --flock JAR}: a rolling update. Finds the hosts that run the jar's cage, deploys to
 * {@code --batch} of them at a time with a watch, waits for each batch's watch to pass, and stops at the first
 * host that rolled back (or failed): the hosts after it never get the version. Every host gets the same token.
 */
final class FlockRollout {

    static final String DEFAULT_WATCH = "30s";

    private final CageCtl ctl;
    private final Invocation invocation;
    private final Path jar;

    FlockRollout(CageCtl ctl, Invocation invocation, Path jar) {
        this.ctl = ctl;
        this.invocation = invocation;
        this.jar = jar;
    }

    /** One host's part of the rollout. */
    private record Step(String host, int exit, String line) {
    }

    int run() {
        Integer batchOption = invocation.number(DeployCommand.BATCH.name());
        int batch = batchOption == null ? 1 : batchOption;
        if (batch < 1) {
            throw ArgumentParser.usage(DeployCommand.SPEC, "'--batch' must be at least 1, got " + batch);
        }
        String cage = cageOf(jar);
        String watch = invocation.value(DeployCommand.WATCH.name());
        long watchMs = durationMs(watch == null ? DEFAULT_WATCH : watch);
        List<String> hosts = hostsRunning(cage);
        if (hosts.isEmpty()) {
            ctl.err().println("FAILED: no host of the flock runs cage " + cage + "; nothing to update");
            return ExitCodes.FAILED;
        }
        ctl.out().println("rolling " + jar.getFileName() + " (cage " + cage + ") out to " + hosts.size() + " host(s), "
                + batch + " at a time, watching each for " + (watch == null ? DEFAULT_WATCH : watch));
        String query = "/deploy?origin=" + ctl.originParam() + DeployCommand.watchQuery(invocation, DEFAULT_WATCH);
        Duration timeout = Duration.ofMillis(watchMs).plusSeconds(timeoutSeconds());
        for (int from = 0; from < hosts.size(); from += batch) {
            List<String> group = hosts.subList(from, Math.min(hosts.size(), from + batch));
            List<Step> steps = deployTo(group, query, timeout);
            boolean stop = false;
            for (Step step : steps) {
                (step.exit() == ExitCodes.OK ? ctl.out() : ctl.err()).println(step.host() + ": " + step.line());
                stop |= step.exit() != ExitCodes.OK;
            }
            if (stop) {
                List<String> left = hosts.subList(from + group.size(), hosts.size());
                ctl.err().println("rollout stopped" + (left.isEmpty() ? "" : "; not updated: " + String.join(", ", left)));
                return ExitCodes.FAILED;
            }
        }
        ctl.out().println("rollout passed on all " + hosts.size() + " host(s)");
        return ExitCodes.OK;
    }

    /** A guarded deploy to the one host of {@code --admin}. */
    int runOne() {
        String watch = invocation.value(DeployCommand.WATCH.name());
        Duration timeout = Duration.ofMillis(durationMs(watch)).plusSeconds(timeoutSeconds());
        Step step = deployTo(ctl.client().base().toString(), "/deploy?origin=" + ctl.originParam() + DeployCommand.watchQuery(invocation, null), timeout);
        (step.exit() == ExitCodes.OK ? ctl.out() : ctl.err()).println(step.line());
        return step.exit();
    }

    private List<Step> deployTo(List<String> group, String query, Duration timeout) {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Step>> running = new ArrayList<>();
            for (String host : group) {
                running.add(pool.submit(() -> deployTo(host, query, timeout)));
            }
            List<Step> steps = new ArrayList<>();
            for (Future<Step> f : running) {
                try {
                    steps.add(f.get());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            return steps;
        }
    }

    private Step deployTo(String host, String query, Duration timeout) {
        try {
            AdminClient client = new AdminClient(AdminClient.parseBaseUrl(host), CageCtl.CONNECT_TIMEOUT, timeout, ctl.adminToken());
            AdminClient.Response response = client.postFile(query, jar, "application/java-archive");
            JsonNode body = Json.tryParse(response.body());
            return new Step(host, exitOf(response, body), lineOf(response, body));
        } catch (CageCtlException e) {
            return new Step(host, ExitCodes.FAILED, "FAILED: " + e.getMessage());
        }
    }

    private static int exitOf(AdminClient.Response response, JsonNode body) {
        return response.ok() && "PASSED".equals(Json.text(body, "state")) ? ExitCodes.OK : ExitCodes.FAILED;
    }

    /** One line about a rollout: {@code ROLLED BACK hello 1.0.1 -> 1.0.0: rolled back: error rate ...}. */
    static String lineOf(AdminClient.Response response, JsonNode rollout) {
        String state = Json.text(rollout, "state");
        if (state == null) {
            return Outcomes.describeError(response.status(), rollout, response.body());
        }
        String cage = Json.text(rollout, "cage");
        String version = Json.text(rollout, "version");
        String previous = Json.text(rollout, "previous");
        String subject = (cage == null ? "?" : cage) + " " + (version == null ? "" : version)
                + (previous == null ? "" : " (was " + previous + ")");
        String reason = Json.text(rollout, "reason");
        return state.replace('_', ' ') + " " + subject + ": " + (reason == null ? "no reason given" : Text.cell(reason));
    }

    /**
     * The hosts to update: {@code --hosts} in the order given, else every member of the flock {@code --admin}
     * sees, at the admin URL it publishes, ordered by host name (printed); only those running the cage.
     */
    private List<String> hostsRunning(String cage) {
        List<String> candidates = new ArrayList<>();
        String given = invocation.value(DeployCommand.HOSTS.name());
        if (given != null) {
            for (String h : given.split(",")) {
                if (!h.isBlank()) {
                    candidates.add(AdminClient.parseBaseUrl(h.strip()).toString());
                }
            }
        } else {
            candidates.addAll(flockAdminUrls());
        }
        List<String> running = new ArrayList<>();
        for (String host : candidates) {
            AdminClient client = new AdminClient(URI.create(host), CageCtl.CONNECT_TIMEOUT, Duration.ofSeconds(timeoutSeconds()), ctl.adminToken());
            AdminClient.Response answer = client.get("/cages");
            JsonNode cages = answer.ok() ? Json.tryParse(answer.body()) : null;
            if (cages == null || !cages.isArray()) {
                throw new CageCtlException(ExitCodes.FAILED, host + ": " + Outcomes.describeError(answer.status(), cages, answer.body()));
            }
            boolean runs = false;
            for (JsonNode c : cages) {
                runs |= cage.equals(Json.text(c, "name")) && Json.text(c, "activeVersion") != null;
            }
            if (runs) {
                running.add(host);
            } else {
                ctl.out().println(host + ": skipped, does not run cage " + cage);
            }
        }
        return running;
    }

    /**
     * The admin URLs the flock's members publish ({@code GET /flock} of {@code --admin}), by host name; just
     * {@code --admin} when it is in no flock. Each URL must answer as the host that published it: an admin
     * listener bound to loopback publishes 127.0.0.1, which from another machine is some other host.
     */
    private List<String> flockAdminUrls() {
        java.util.TreeMap<String, String> byName = new java.util.TreeMap<>();
        for (JsonNode member : ctl.getArray("/flock")) {
            String name = Json.text(member, "name");
            String url = Json.text(member, "adminUrl");
            if (url == null) {
                throw new CageCtlException(ExitCodes.USAGE, "the flock directory does not say where host '" + name
                        + "' has its admin API (its admin listener is off, or it runs an older build);"
                        + " give every host's admin URL with --hosts URL,URL,...");
            }
            byName.put(name, AdminClient.parseBaseUrl(url).toString());
        }
        if (byName.isEmpty()) {
            return List.of(ctl.client().base().toString()); // in no flock: just this host
        }
        List<String> order = new ArrayList<>();
        byName.forEach((name, url) -> {
            String answering = selfName(url);
            if (!name.equals(answering)) {
                throw new CageCtlException(ExitCodes.FAILED, "host '" + name + "' publishes its admin API at " + url
                        + ", but " + (answering == null ? "that address does not say which host it is" : "host '" + answering + "' answers there")
                        + " (an admin listener bound to loopback is reachable only on its own machine);"
                        + " bind it to an address the others reach, or give every host's admin URL with --hosts URL,URL,...");
            }
            order.add(name + " " + url);
        });
        ctl.out().println("rollout order (by host name): " + String.join(", ", order));
        return List.copyOf(byName.values());
    }

    /** The name of the host answering at {@code url}: the member of its {@code GET /flock} that is itself. */
    private String selfName(String url) {
        AdminClient client = new AdminClient(URI.create(url), CageCtl.CONNECT_TIMEOUT, Duration.ofSeconds(timeoutSeconds()), ctl.adminToken());
        AdminClient.Response answer = client.get("/flock");
        JsonNode members = answer.ok() ? Json.tryParse(answer.body()) : null;
        if (members == null || !members.isArray()) {
            throw new CageCtlException(ExitCodes.FAILED, url + ": " + Outcomes.describeError(answer.status(), members, answer.body()));
        }
        for (JsonNode member : members) {
            if (member.path("self").asBoolean(false)) {
                return Json.text(member, "name");
            }
        }
        return null;
    }

    private int timeoutSeconds() {
        Integer t = invocation.number(CageCtl.TIMEOUT.name());
        return t == null ? CageCtl.DEFAULT_TIMEOUT_SECONDS : t;
    }

    /** The jar's {@code Cage-Name}. */
    static String cageOf(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            String name = file.getManifest() == null ? null : file.getManifest().getMainAttributes().getValue("Cage-Name");
            if (name == null || name.isBlank()) {
                throw new CageCtlException(ExitCodes.USAGE, "cannot roll out " + jar + ": its manifest has no Cage-Name"
                        + " (a rolling update needs a cage bundle jar)");
            }
            return name.strip();
        } catch (IOException e) {
            throw new CageCtlException(ExitCodes.USAGE, "cannot read " + jar + ": " + AdminClient.reason(e));
        }
    }

    /** {@code 30s}, {@code 500ms}, {@code 2m} or bare seconds, as the host reads them. */
    static long durationMs(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Long.parseLong(t.substring(0, t.length() - 2).strip());
            }
            if (t.endsWith("s")) {
                return Math.round(Double.parseDouble(t.substring(0, t.length() - 1).strip()) * 1000);
            }
            if (t.endsWith("m")) {
                return Math.round(Double.parseDouble(t.substring(0, t.length() - 1).strip()) * 60_000);
            }
            return Math.round(Double.parseDouble(t) * 1000);
        } catch (NumberFormatException e) {
            throw new CageCtlException(ExitCodes.USAGE, "'--watch' must be a duration such as 30s, 500ms or 2m, not '" + text + "'");
        }
    }
}
