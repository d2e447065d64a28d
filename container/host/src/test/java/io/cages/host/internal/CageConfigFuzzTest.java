package io.cages.host.internal;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * A cage's config file ({@code configs/cages/<cage>.json}, what {@code context.config()} serves) against
 * arbitrary bytes, coverage-guided with Jazzer: it is read or refused with an {@link IllegalArgumentException}
 * that says what is wrong, never anything else (the folder scanner lists the reason as a config problem and the
 * cage keeps its last good config). The ordinary test run replays the corpus under {@code src/test/resources};
 * {@code tools/bin/cages fuzz} fuzzes it for a bounded time.
 */
class CageConfigFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void aCageConfigIsReadOrRefusedWithAReason(byte[] json) {
        try {
            HostCageConfig config = CageConfigs.parse(json);
            if (config == null) {
                throw new AssertionError("a config that was read must not be null");
            }
        } catch (IllegalArgumentException refused) {
            if (refused.getMessage() == null || refused.getMessage().isBlank()) {
                throw new AssertionError("refused without a reason", refused);
            }
        }
    }
}
