package io.cages.transport.jobs.internal;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A cage's jobs file ({@code jobs/<cage>.json}: schedules, cron expressions, folder watches) against arbitrary
 * bytes, coverage-guided with Jazzer: it is read or refused with an {@link IllegalArgumentException} whose message
 * names the file, never anything else (the scanner would log a stack trace instead of listing a config problem).
 * The ordinary test run replays the corpus under {@code src/test/resources}; {@code tools/bin/cages fuzz} fuzzes
 * it for a bounded time.
 */
class JobsFileFuzzTest {

    private static final Path FILE = createFile();

    private static Path createFile() {
        try {
            Path dir = Files.createTempDirectory("jobs-file-fuzz");
            dir.toFile().deleteOnExit();
            Path file = dir.resolve("hello.json");
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @FuzzTest(maxDuration = "10s")
    void aJobsFileIsReadOrRefusedNamingTheFile(byte[] json) throws IOException {
        Files.write(FILE, json);
        for (boolean flock : new boolean[] {false, true}) {
            try {
                JobsFile.read(FILE, "hello", Map.of("INBOX", "/tmp/inbox")::get, flock);
            } catch (IllegalArgumentException refused) {
                if (refused.getMessage() == null || !refused.getMessage().contains("hello.json")) {
                    throw new AssertionError("refused without naming the file: " + refused.getMessage(), refused);
                }
            }
        }
    }
}
