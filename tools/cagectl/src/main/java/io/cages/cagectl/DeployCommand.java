package io.cages.cagectl;

import java.nio.file.Files;
import java.nio.file.Path;

/** {@code cagectl deploy <jar>}: deploy a cage, or update it to the jar's version. */
final class DeployCommand implements CommandSpec.Action {

    static final OptionSpec WATCH = OptionSpec.text("--watch", "DURATION",
            "Guarded deploy: watch the new version this long (30s, 500ms, 2m) and roll back when it fails the thresholds.");
    static final OptionSpec MAX_ERROR_RATE = OptionSpec.text("--max-error-rate", "POINTS",
            "With --watch: percentage points the error rate may rise over the old version's (default 5).");
    static final OptionSpec MAX_P99_RATIO = OptionSpec.text("--max-p99-ratio", "RATIO",
            "With --watch: how many times the old p99 the new one may be (default 2).");
    static final OptionSpec P99_FLOOR = OptionSpec.text("--p99-floor-ms", "MS",
            "With --watch: a p99 at or under this is never a failure (default 50).");
    static final OptionSpec MIN_REQUESTS = OptionSpec.wholeNumber("--min-requests", "N",
            "With --watch: requests needed to judge on; fewer: judged on the self-test only (default 20).");
    static final OptionSpec FLOCK = OptionSpec.flag(
            "Rolling update: every host of the flock that runs the cage, --batch at a time, each watched (default --watch 30s);"
                    + " stops at the first rollback.", "--flock");
    static final OptionSpec BATCH = OptionSpec.wholeNumber("--batch", "N", "With --flock: hosts updated at a time (default 1).");
    static final OptionSpec HOSTS = OptionSpec.text("--hosts", "URLS",
            "With --flock: the hosts' admin URLs, comma-separated, in rollout order (default: every member of the flock"
                    + " --admin sees, at the admin URL it publishes, by host name). The same --token is sent to every host.");

    static final CommandSpec SPEC = new CommandSpec("deploy", "Deploy a cage jar, or update the cage "
                    + "to the jar's version. Waits until the new version serves, or the deploy failed and the "
                    + "previous version stays active. With --watch, also until the watch passed or the host rolled back.",
            java.util.List.of(WATCH, MAX_ERROR_RATE, MAX_P99_RATIO, P99_FLOOR, MIN_REQUESTS, FLOCK, BATCH, HOSTS),
            "JAR", "The cage bundle jar to deploy.", true, new DeployCommand());

    @Override
    public int run(CageCtl ctl, Invocation invocation) {
        Path jar;
        try {
            jar = Path.of(invocation.parameter());
        } catch (java.nio.file.InvalidPathException e) {
            throw new CageCtlException(ExitCodes.USAGE, "cannot deploy " + invocation.parameter() + ": " + e.getReason());
        }
        checkReadable(jar);
        if (invocation.flag(FLOCK.name())) {
            return new FlockRollout(ctl, invocation, jar).run();
        }
        if (invocation.value(WATCH.name()) != null) {
            return new FlockRollout(ctl, invocation, jar).runOne();
        }
        AdminClient.Response response = ctl.client()
                .postFile("/deploy?origin=" + ctl.originParam(), jar, "application/java-archive");
        return ctl.report(response, String.valueOf(jar.getFileName()));
    }

    /** The watch parameters of a guarded deploy as a query string tail ({@code &watch=..&..}). */
    static String watchQuery(Invocation invocation, String defaultWatch) {
        StringBuilder q = new StringBuilder();
        String watch = invocation.value(WATCH.name());
        append(q, "watch", watch == null ? defaultWatch : watch);
        append(q, "maxErrorRate", invocation.value(MAX_ERROR_RATE.name()));
        append(q, "maxP99Ratio", invocation.value(MAX_P99_RATIO.name()));
        append(q, "p99FloorMs", invocation.value(P99_FLOOR.name()));
        append(q, "minRequests", invocation.value(MIN_REQUESTS.name()));
        return q.toString();
    }

    private static void append(StringBuilder q, String name, String value) {
        if (value != null) {
            q.append('&').append(name).append('=').append(java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /** Fails with a usage error unless {@code jar} is a readable, non-empty regular file. */
    static void checkReadable(Path jar) {
        String problem;
        if (!Files.exists(jar)) {
            problem = "no such file";
        } else if (Files.isDirectory(jar)) {
            problem = "it is a directory, not a jar file";
        } else if (!Files.isRegularFile(jar)) {
            problem = "not a regular file";
        } else if (!Files.isReadable(jar)) {
            problem = "permission denied";
        } else {
            problem = emptyProblem(jar);
        }
        if (problem != null) {
            throw new CageCtlException(ExitCodes.USAGE, "cannot deploy " + jar + ": " + problem);
        }
    }

    private static String emptyProblem(Path jar) {
        try {
            return Files.size(jar) == 0 ? "the file is empty" : null;
        } catch (java.io.IOException e) {
            return AdminClient.reason(e);
        }
    }
}
