package io.cages.host;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The host's config reader against arbitrary bytes (coverage-guided with Jazzer): a {@code host.json} holding them
 * is read or refused with an {@link IllegalArgumentException} whose message names the file, never anything else
 * (the host would not start with a stack trace instead of a reason). The ordinary test run replays the corpus under
 * {@code src/test/resources}; {@code tools/bin/cages fuzz} fuzzes it for a bounded time.
 */
class HostConfigFuzzTest {

    private static final Path FILE = createFile();

    private static Path createFile() {
        try {
            Path dir = Files.createTempDirectory("host-config-fuzz");
            dir.toFile().deleteOnExit();
            Path file = dir.resolve("host.json");
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @FuzzTest(maxDuration = "10s")
    void aHostConfigIsReadOrRefusedNamingTheFile(byte[] json) throws IOException {
        Files.write(FILE, json);
        try {
            HostConfig.load(FILE, Map.of("PORT", "8080")::get);
        } catch (IllegalArgumentException refused) {
            if (refused.getMessage() == null || !refused.getMessage().contains("host.json")) {
                throw new AssertionError("refused without naming the file: " + refused.getMessage(), refused);
            }
        }
    }
}
