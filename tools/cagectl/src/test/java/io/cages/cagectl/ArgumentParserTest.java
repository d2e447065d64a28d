package io.cages.cagectl;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command-line grammar: options before or after the command, values, {@code --}, and every usage error. */
class ArgumentParserTest {

    private static final CommandSpec.Action NOTHING = (ctl, invocation) -> ExitCodes.OK;
    private static final OptionSpec ADMIN = OptionSpec.text("--admin", "URL", "admin URL");
    private static final OptionSpec LAST = OptionSpec.wholeNumber("--last", "N", "newest N");
    private static final OptionSpec JSON = OptionSpec.flag("as JSON", "--json");
    private static final CommandSpec LIST = CommandSpec.withoutParameter("list", "lists", List.of(JSON), NOTHING);
    private static final CommandSpec HISTORY = CommandSpec.withoutParameter("history", "history", List.of(LAST, JSON),
            NOTHING);
    private static final CommandSpec DEPLOY = CommandSpec.withParameter("deploy", "deploys", "JAR", "the jar", true,
            NOTHING);
    private static final CommandSpec HELP = CommandSpec.withParameter("help", "helps", "COMMAND", "a command", false,
            NOTHING);

    private final ArgumentParser parser = new ArgumentParser(List.of(ADMIN,
            OptionSpec.flag("help", "-h", ArgumentParser.HELP), OptionSpec.flag("version", "-V", ArgumentParser.VERSION)),
            List.of(LIST, HISTORY, DEPLOY, HELP));

    private String usageError(String... args) {
        return assertThrows(UsageException.class, () -> parser.parse(args)).getMessage();
    }

    @Test
    void globalOptionsGoBeforeOrAfterTheCommandWithSpaceOrEquals() {
        for (String[] args : List.of(new String[]{"--admin", "http://h:1", "list"},
                new String[]{"list", "--admin", "http://h:1"}, new String[]{"list", "--admin=http://h:1"})) {
            Invocation invocation = parser.parse(args);
            assertEquals(LIST, invocation.command());
            assertEquals("http://h:1", invocation.value("--admin"));
            assertFalse(invocation.flag("--json"));
        }
    }

    @Test
    void commandOptionsFlagsAndNumbers() {
        Invocation invocation = parser.parse("history", "--json", "--last", "3");
        assertTrue(invocation.flag("--json"));
        assertEquals(3, invocation.number("--last"));
        assertEquals(7, parser.parse("history", "--last=7").number("--last"));
        assertNull(parser.parse("history").number("--last"));
    }

    @Test
    void parameterAndEndOfOptions() {
        assertEquals("a.jar", parser.parse("deploy", "a.jar").parameter());
        assertEquals("-odd.jar", parser.parse("deploy", "--", "-odd.jar").parameter());
        assertEquals("history", parser.parse("help", "history").parameter());
        assertNull(parser.parse("help").parameter());
    }

    @Test
    void helpAndVersionAnywhereAndWithoutTheRequiredParameter() {
        assertTrue(parser.parse("--help").help());
        assertTrue(parser.parse("-h").help());
        Invocation deployHelp = parser.parse("deploy", "--help");
        assertTrue(deployHelp.help());
        assertEquals(DEPLOY, deployHelp.command());
        assertTrue(parser.parse("-V").version());
        assertTrue(parser.parse("list", "--version").version());
        assertFalse(parser.parse("list").options().containsKey(ArgumentParser.HELP), "help is not an option value");
    }

    @Test
    void usageErrorsSayWhatWasWrong() {
        assertEquals("unknown option '--x' for 'cagectl list'", usageError("list", "--x"));
        assertEquals("unknown option '--json' for 'cagectl'", usageError("--json", "list"));
        assertEquals("unknown option '--last' for 'cagectl list'", usageError("list", "--last", "2"));
        assertEquals("'--last' needs a whole number, got 'x'", usageError("history", "--last", "x"));
        assertEquals("'--last' needs a whole number, got '2.5'", usageError("history", "--last=2.5"));
        assertEquals("'--last' needs a value (N)", usageError("history", "--last"));
        assertEquals("'--admin' needs a value (URL)", usageError("list", "--admin"));
        assertEquals("'--admin' given more than once", usageError("--admin", "a", "list", "--admin", "b"));
        assertEquals("option '--json' takes no value, got 'yes'", usageError("list", "--json=yes"));
        assertEquals("unknown command 'frobnicate'; the commands are list, history, deploy, help",
                usageError("frobnicate"));
        assertEquals("'cagectl deploy' needs JAR: the jar", usageError("deploy"));
        assertEquals("'cagectl deploy' takes one JAR, got 2: a.jar b.jar", usageError("deploy", "a.jar", "b.jar"));
        assertEquals("unexpected argument 'extra' for 'cagectl list', which takes none", usageError("list", "extra"));
    }

    @Test
    void usageErrorsPointAtTheHelpOfTheirCommand() {
        assertEquals("cagectl list", assertThrows(UsageException.class, () -> parser.parse("list", "--x")).commandName());
        assertEquals("cagectl", assertThrows(UsageException.class, () -> parser.parse("nope")).commandName());
    }

    @Test
    void helpTextsListCommandsAndOptions() {
        StringWriter out = new StringWriter();
        CageCtl ctl = new CageCtl(Map.of(), new PrintWriter(out), new PrintWriter(new StringWriter()), ZoneOffset.UTC);
        assertEquals(ExitCodes.OK, ctl.execute("history", "--help"));
        assertEquals("""
                Usage: cagectl history [OPTIONS]
                Show deploy, update and undeploy attempts and how they ended, oldest first.

                Options:
                      --last N           Only the newest N entries.
                      --json             Print the admin API's JSON instead of a table.
                      --admin URL        Admin API base URL (default: $CAGES_ADMIN, else http://127.0.0.1:8081).
                      --token TOKEN      Admin token, sent as 'Authorization: Bearer TOKEN' (default:
                                         $CAGES_ADMIN_TOKEN, else none).
                      --timeout SECONDS  How long to wait for an answer (default: 120); deploys and undeploys wait
                                         for swaps and drains.
                  -h, --help             Show this help and exit.
                  -V, --version          Print the version and exit.
                """, out.toString());
    }
}
