package io.cages.host.internal;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.cages.host.spi.SettingsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.LoggerFactory;

/**
 * The flock policy file ({@code policy.json}, read by {@link CallPermissions}) against arbitrary bytes,
 * coverage-guided with Jazzer: it is read, or refused with a {@link SettingsException} whose message names the
 * file, never anything else (a host would not start with a stack trace instead of a reason, and a reload that
 * threw anything else would be logged as a crash rather than listed as a config problem). A policy that was read
 * answers every kind of caller without throwing. The ordinary test run replays the corpus under
 * {@code src/test/resources}; {@code tools/bin/cages fuzz} fuzzes it for a bounded time.
 */
class CallPolicyFuzzTest {

    private static final Path FILE = createFile();
    private static final Function<String, String> ENV = Map.of("CALLER", "orders", "EMPTY", "")::get;
    /** A cage, each kind of caller from outside, and names the patterns of a rule may or may not cover. */
    private static final String[] CALLERS = {"orders", "gateway", "http:127.0.0.1:50312", "rpc:10.0.0.7:41234",
            "jms:billing.charges", "job:nightly", "folder:inbox", ""};

    static {
        // A line per policy read would flood the log and slow the fuzzer down; refusals are what it looks at.
        ((Logger) LoggerFactory.getLogger(CallPermissions.class)).setLevel(Level.WARN);
    }

    private static Path createFile() {
        try {
            Path dir = Files.createTempDirectory("call-policy-fuzz");
            dir.toFile().deleteOnExit();
            Path file = dir.resolve(CallPermissions.FILE_NAME);
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @FuzzTest(maxDuration = "10s")
    void aCallPolicyIsReadOrRefusedNamingTheFile(byte[] json) throws IOException {
        Files.write(FILE, json);
        try {
            CallPermissions.load(FILE, "h1", ENV);
        } catch (SettingsException refused) {
            if (refused.getMessage() == null || !refused.getMessage().contains(CallPermissions.FILE_NAME)) {
                throw new AssertionError("refused without naming the file: " + refused.getMessage(), refused);
            }
            return;
        }
        CallPolicy policy = CallPolicy.parse(json, ENV); // what load() put in force
        for (String caller : CALLERS) {
            policy.allows(caller, "billing", "charge");
            policy.allows(caller, "", "");
        }
    }
}
