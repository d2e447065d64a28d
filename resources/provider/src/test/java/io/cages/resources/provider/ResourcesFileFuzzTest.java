package io.cages.resources.provider;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.cages.host.spi.Settings;
import java.util.Map;

/**
 * The resources file's reader ({@code resources.json}: the envelope, the embedded broker, durable calls and
 * state settings) against arbitrary bytes, coverage-guided with Jazzer: the file is read or refused with an
 * {@link IllegalArgumentException} that says what is wrong, never anything else (a host would fail to start, or a
 * live reload fail, with a stack trace instead of a reason). The ordinary test run replays the corpus under
 * {@code src/test/resources}; {@code tools/bin/cages fuzz} fuzzes it for a bounded time.
 */
class ResourcesFileFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void aResourcesFileIsReadOrRefusedWithAReason(byte[] json) {
        try {
            ResourcesFile.parse(Settings.parse(json), Map.of("BROKER_PORT", "61617")::get);
        } catch (IllegalArgumentException refused) {
            if (refused.getMessage() == null || refused.getMessage().isBlank()) {
                throw new AssertionError("refused without a reason", refused);
            }
        }
    }
}
