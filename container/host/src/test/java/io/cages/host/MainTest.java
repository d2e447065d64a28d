package io.cages.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host's command line: options, usage errors and their exit codes (a real start is HostProcess's job). */
class MainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void helpPrintsTheUsageAndExitsZero() {
        assertEquals(0, run("--help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("Usage: cages-host"), out::toString);
        assertEquals(0, run("-h"));
    }

    @Test
    void versionExitsZero() {
        assertEquals(0, run("-V"));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("cages-host "), out::toString);
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        assertEquals(2, run("--confg", "x.json"));
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("Unknown option: '--confg'\nUsage: cages-host"), text);
    }

    @Test
    void aStrayArgumentIsAUsageError() {
        assertEquals(2, run("host.json"));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("Unmatched argument: 'host.json'"), err::toString);
    }

    @Test
    void anOptionWithoutItsValueIsAUsageError() {
        assertEquals(2, run("--config"));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("Missing required parameter for option '--config'"),
                err::toString);
    }

    @Test
    void bothSpellingsOfAValueReachTheConfigLoader(@TempDir Path dir) throws Exception {
        Path broken = Files.writeString(dir.resolve("host.json"), "{\"nosuchkey\": 1}");
        PrintStream stderr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertEquals(2, run("--config", broken.toString()));
            assertEquals(2, run("--config=" + broken, "--work-dir=" + dir));
        } finally {
            System.setErr(stderr);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        assertEquals(2, text.lines().filter(l -> l.startsWith("cages-host: invalid config: ")).count(), text);
        assertTrue(text.contains("nosuchkey"), text);
    }
}
