package io.cages.cagectl;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code cagectl}: operate a running cages host through its admin HTTP API.
 *
 * <p>Use {@link #execute(String...)} to run it in-process (tests do); {@link #main} runs it and exits.
 */
@Command(name = "cagectl",
        description = "Operate a running cages host through its admin HTTP API.",
        mixinStandardHelpOptions = true,
        versionProvider = CageCtl.Version.class,
        subcommands = {ListCommand.class, HistoryCommand.class, DeployCommand.class, UndeployCommand.class,
                ProblemsCommand.class, ResourcesCommand.class, CommandLine.HelpCommand.class},
        footerHeading = "%nExit codes:%n",
        footer = {"  0  ok",
                "  1  the operation failed (FAILED record, or an error answer)",
                "  2  usage error (bad option or argument, unreadable jar file)",
                "  3  the admin API could not be reached"})
public final class CageCtl implements Callable<Integer> {

    /** Where the admin API listens unless {@code --admin} or {@code CAGES_ADMIN} says otherwise. */
    public static final String DEFAULT_ADMIN_URL = "http://127.0.0.1:8081";
    /** The environment variable naming the admin URL. */
    public static final String ADMIN_ENV = "CAGES_ADMIN";
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    @Option(names = "--admin", paramLabel = "URL", scope = ScopeType.INHERIT,
            description = {"Admin API base URL", "(default: $" + ADMIN_ENV + ", else " + DEFAULT_ADMIN_URL + ")."})
    String adminOption;

    @Option(names = "--timeout", paramLabel = "SECONDS", scope = ScopeType.INHERIT, defaultValue = "120",
            description = "How long to wait for an answer (default: ${DEFAULT-VALUE}); "
                    + "deploys and undeploys wait for swaps and drains.")
    int timeoutSeconds;

    @Spec
    CommandSpec spec;

    private final Map<String, String> env;
    private final PrintWriter out;
    private final PrintWriter err;
    private final ZoneId zone;
    private AdminClient client;

    /** A cagectl on the process's environment, stdout and stderr. */
    public CageCtl() {
        this(System.getenv(), new PrintWriter(System.out, true), new PrintWriter(System.err, true),
                ZoneId.systemDefault());
    }

    /** A cagectl with its own environment, output streams and time zone (for tests and embedding). */
    public CageCtl(Map<String, String> env, PrintWriter out, PrintWriter err, ZoneId zone) {
        this.env = Map.copyOf(env);
        this.out = out;
        this.err = err;
        this.zone = zone;
    }

    public static void main(String[] args) {
        System.exit(new CageCtl().execute(args));
    }

    /** Runs one command line and returns its exit code (see {@link ExitCodes}); never throws. */
    public int execute(String... args) {
        CommandLine cmd = new CommandLine(this)
                .setOut(out)
                .setErr(err)
                .setParameterExceptionHandler(CageCtl::usageError)
                .setExecutionExceptionHandler((ex, commandLine, parseResult) -> failure(ex));
        try {
            return cmd.execute(args);
        } finally {
            if (client != null) {
                client.close();
                client = null;
            }
            out.flush();
            err.flush();
        }
    }

    /** No subcommand: show the usage and treat it as a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(err);
        return ExitCodes.USAGE;
    }

    // ---- shared by the subcommands -----------------------------------------------------------------------

    /** The admin API client, made on first use from {@code --admin}, {@code CAGES_ADMIN} or the default. */
    AdminClient client() {
        if (client == null) {
            if (timeoutSeconds < 1) {
                throw new ParameterException(spec.commandLine(), "--timeout must be at least 1 second");
            }
            client = new AdminClient(AdminClient.parseBaseUrl(adminUrl()), CONNECT_TIMEOUT,
                    Duration.ofSeconds(timeoutSeconds));
        }
        return client;
    }

    /** The admin URL as given, before checking: {@code --admin}, then {@code $CAGES_ADMIN}, then the default. */
    String adminUrl() {
        if (adminOption != null) {
            return adminOption;
        }
        String fromEnv = env.get(ADMIN_ENV);
        return fromEnv == null || fromEnv.isBlank() ? DEFAULT_ADMIN_URL : fromEnv.strip();
    }

    /** The {@code origin} query parameter for changes: {@code cagectl:<user>}, URL-encoded. */
    String originParam() {
        String user = System.getProperty("user.name", "");
        if (user.isBlank()) {
            user = env.getOrDefault("USER", "unknown");
        }
        return URLEncoder.encode("cagectl:" + user, StandardCharsets.UTF_8);
    }

    PrintWriter out() {
        return out;
    }

    PrintWriter err() {
        return err;
    }

    ZoneId zone() {
        return zone;
    }

    /** Fetches {@code path}, which must answer 2xx with a JSON array; anything else is a failure. */
    JsonNode getArray(String path) {
        return Json.requireArray("GET " + path, getOk(path));
    }

    JsonNode getObject(String path) {
        return Json.requireObject("GET " + path, getOk(path));
    }

    private String getOk(String path) {
        AdminClient.Response response = client().get(path);
        if (!response.ok()) {
            throw new CageCtlException(ExitCodes.FAILED,
                    Outcomes.describeError(response.status(), Json.tryParse(response.body()), response.body()));
        }
        return response.body();
    }

    /**
     * Reports the answer to a deploy or undeploy and returns the exit code: the record's one-liner on stdout
     * when it worked, on stderr when it did not.
     */
    int report(AdminClient.Response response, String fallbackSubject) {
        JsonNode body = Json.tryParse(response.body());
        int code = Outcomes.exitCode(response.status(), body);
        String line;
        if (Outcomes.isRecord(body)) {
            line = Outcomes.describe(body, fallbackSubject);
        } else if (response.ok()) {
            line = "unexpected answer from the admin API (HTTP " + response.status() + "): "
                    + Text.abbreviate(response.body(), 200);
            code = ExitCodes.FAILED;
        } else {
            line = Outcomes.describeError(response.status(), body, response.body());
        }
        (code == ExitCodes.OK ? out : err).println(line);
        return code;
    }

    // ---- error handling ----------------------------------------------------------------------------------

    private static int usageError(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("cagectl: " + ex.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
        return ExitCodes.USAGE;
    }

    private int failure(Exception ex) {
        if (ex instanceof CageCtlException known) {
            err.println(known.getMessage());
            return known.exitCode();
        }
        err.println("cagectl: unexpected error: " + ex);
        if (env.containsKey("CAGECTL_DEBUG")) {
            ex.printStackTrace(err);
        }
        return ExitCodes.FAILED;
    }

    /** {@code --version}: the jar's Implementation-Version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = CageCtl.class.getPackage().getImplementationVersion();
            return new String[]{"cagectl " + (v == null ? "(development build)" : v)};
        }
    }
}
