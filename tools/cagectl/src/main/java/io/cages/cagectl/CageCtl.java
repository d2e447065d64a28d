package io.cages.cagectl;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/**
 * {@code cagectl}: operate a running cages host through its admin HTTP API.
 *
 * <p>Use {@link #execute(String...)} to run it in-process (tests do); {@link #main} runs it and exits.
 */
public final class CageCtl {

    /** Where the admin API listens unless {@code --admin} or {@code CAGES_ADMIN} says otherwise. */
    public static final String DEFAULT_ADMIN_URL = "http://127.0.0.1:8081";
    /** The environment variable naming the admin URL. */
    public static final String ADMIN_ENV = "CAGES_ADMIN";
    /** The environment variable holding the admin token (the same name the host reads its token from). */
    public static final String TOKEN_ENV = "CAGES_ADMIN_TOKEN";
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final int DEFAULT_TIMEOUT_SECONDS = 120;

    static final OptionSpec ADMIN = OptionSpec.text("--admin", "URL",
            "Admin API base URL (default: $" + ADMIN_ENV + ", else " + DEFAULT_ADMIN_URL + ").");
    static final OptionSpec TOKEN = OptionSpec.text("--token", "TOKEN",
            "Admin token, sent as 'Authorization: Bearer TOKEN' (default: $" + TOKEN_ENV + ", else none).");
    static final OptionSpec TIMEOUT = OptionSpec.wholeNumber("--timeout", "SECONDS",
            "How long to wait for an answer (default: " + DEFAULT_TIMEOUT_SECONDS
                    + "); deploys and undeploys wait for swaps and drains.");
    static final List<OptionSpec> GLOBAL_OPTIONS = List.of(ADMIN, TOKEN, TIMEOUT,
            OptionSpec.flag("Show this help and exit.", "-h", ArgumentParser.HELP),
            OptionSpec.flag("Print the version and exit.", "-V", ArgumentParser.VERSION));

    private static final String DESCRIPTION = "Operate a running cages host through its admin HTTP API.";
    private static final List<String> EXIT_CODES = List.of("",
            "Exit codes:",
            "  0  ok",
            "  1  the operation failed (FAILED record, or an error answer; health: a cage not up)",
            "  2  usage error (bad option or argument, unreadable jar file)",
            "  3  the admin API could not be reached");

    private final Map<String, String> env;
    private final PrintWriter out;
    private final PrintWriter err;
    private final ZoneId zone;
    private final List<CommandSpec> commands;
    private final ArgumentParser parser;
    private Invocation invocation;
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
        CommandSpec help = CommandSpec.withParameter("help", "Show the help of a command, or this overview.",
                "COMMAND", "The command to explain.", false, (ctl, invocation) -> ctl.help(invocation));
        this.commands = List.of(ListCommand.SPEC, HistoryCommand.SPEC, DeployCommand.SPEC, UndeployCommand.SPEC,
                RollbackCommand.SPEC, RolloutsCommand.SPEC,
                ProblemsCommand.SPEC, ResourcesCommand.SPEC, JobsCommand.SPEC, RunJobCommand.SPEC, DurableCommand.SPEC,
                DurableCommand.Operate.RETRY, DurableCommand.Operate.CANCEL, HealthCommand.SPEC, CaCommand.SPEC, help);
        this.parser = new ArgumentParser(GLOBAL_OPTIONS, commands);
    }

    public static void main(String[] args) {
        System.exit(new CageCtl().execute(args));
    }

    /** Runs one command line and returns its exit code (see {@link ExitCodes}); never throws. */
    public int execute(String... args) {
        try {
            invocation = parser.parse(args);
            if (invocation.version()) {
                out.println(version());
                return ExitCodes.OK;
            }
            if (invocation.help()) {
                out.print(helpOf(invocation.command()));
                return ExitCodes.OK;
            }
            if (invocation.command() == null) {
                err.print(helpOf(null));
                return ExitCodes.USAGE;
            }
            return invocation.command().action().run(this, invocation);
        } catch (UsageException ex) {
            err.println("cagectl: " + ex.getMessage());
            err.println("Run '" + ex.commandName() + " --help' for usage.");
            return ExitCodes.USAGE;
        } catch (CageCtlException ex) {
            err.println(ex.getMessage());
            return ex.exitCode();
        } catch (RuntimeException ex) {
            err.println("cagectl: unexpected error: " + ex);
            if (env.containsKey("CAGECTL_DEBUG")) {
                ex.printStackTrace(err);
            }
            return ExitCodes.FAILED;
        } finally {
            if (client != null) {
                client.close();
                client = null;
            }
            invocation = null;
            out.flush();
            err.flush();
        }
    }

    /** {@code cagectl help [COMMAND]}. */
    private int help(Invocation invocation) {
        String name = invocation.parameter();
        out.print(helpOf(name == null ? null : parser.command(name)));
        return ExitCodes.OK;
    }

    /** The help of {@code command}, or the overview when it is null. */
    private String helpOf(CommandSpec command) {
        return command == null || command.name().equals("help")
                ? HelpText.overview(DESCRIPTION, GLOBAL_OPTIONS, commands, EXIT_CODES)
                : HelpText.of(command, GLOBAL_OPTIONS);
    }

    /** {@code --version}: the jar's Implementation-Version. */
    static String version() {
        String v = CageCtl.class.getPackage().getImplementationVersion();
        return "cagectl " + (v == null ? "(development build)" : v);
    }

    // ---- shared by the commands --------------------------------------------------------------------------

    /** The admin API client, made on first use from {@code --admin}, {@code CAGES_ADMIN} or the default. */
    AdminClient client() {
        if (client == null) {
            Integer timeout = invocation.number(TIMEOUT.name());
            int timeoutSeconds = timeout == null ? DEFAULT_TIMEOUT_SECONDS : timeout;
            if (timeoutSeconds < 1) {
                throw ArgumentParser.usage(invocation.command(), "'--timeout' must be at least 1 second, got "
                        + timeoutSeconds);
            }
            client = new AdminClient(AdminClient.parseBaseUrl(adminUrl()), CONNECT_TIMEOUT,
                    Duration.ofSeconds(timeoutSeconds), adminToken());
        }
        return client;
    }

    /** The admin URL as given, before checking: {@code --admin}, then {@code $CAGES_ADMIN}, then the default. */
    String adminUrl() {
        String option = invocation == null ? null : invocation.value(ADMIN.name());
        if (option != null) {
            return option;
        }
        String fromEnv = env.get(ADMIN_ENV);
        return fromEnv == null || fromEnv.isBlank() ? DEFAULT_ADMIN_URL : fromEnv.strip();
    }

    /** The admin token: {@code --token}, then {@code $CAGES_ADMIN_TOKEN}; null when neither is set. */
    String adminToken() {
        String option = invocation == null ? null : invocation.value(TOKEN.name());
        String token = option != null ? option : env.get(TOKEN_ENV);
        return token == null || token.isBlank() ? null : token.strip();
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
}
