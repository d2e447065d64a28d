package io.cages.devloop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The dev loop builds bundles with the same shared instructions as every other cage build. */
class SharedInstructionsTest {

    @Test
    void theInstructionsInTheJarAreTheRepositorysCageBnd() throws IOException {
        String packed;
        try (InputStream in = BundleMaker.class.getResourceAsStream(BundleMaker.SHARED_INSTRUCTIONS)) {
            packed = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertEquals(Files.readString(Path.of("../../bnd/cage.bnd")), packed);
    }

    @Test
    void devVersionsCountFromTheReleaseOfTheDeclaredVersion() {
        assertEquals("1.2.3", CageProject.releaseOf("1.2.3-SNAPSHOT"));
        assertEquals("1.2.0", CageProject.releaseOf("1.2"));
        assertEquals("2.0.0", CageProject.releaseOf("2.0.0.RELEASE"));
        assertEquals("0.0.0", CageProject.releaseOf(null));
        assertEquals("0.0.0", CageProject.releaseOf("snapshot"));
    }
}
