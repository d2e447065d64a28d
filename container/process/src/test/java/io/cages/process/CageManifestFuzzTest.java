package io.cages.process;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A process cage's manifest against arbitrary bytes (coverage-guided with Jazzer): an archive whose {@code cage.json}
 * holds them is read as a cage or refused with an {@link IllegalArgumentException} (whose message names the problem:
 * the host shows it as the deploy's reason), never anything else. The ordinary test run replays the corpus under
 * {@code src/test/resources}; {@code tools/bin/cages fuzz} fuzzes it for a bounded time.
 */
class CageManifestFuzzTest {

    private final ProcessRuntime runtime = new ProcessRuntime();

    @FuzzTest(maxDuration = "10s")
    void aManifestIsReadOrRefusedWithAReason(byte[] manifest) throws IOException {
        try {
            runtime.read(archive(manifest));
        } catch (IllegalArgumentException refused) {
            if (refused.getMessage() == null || refused.getMessage().isBlank()) {
                throw new AssertionError("refused without a reason", refused);
            }
        }
    }

    private static byte[] archive(byte[] manifest) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("cage.json"));
            zip.write(manifest);
            zip.putNextEntry(new ZipEntry("worker.py"));
            zip.write("print('hi')\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }
}
