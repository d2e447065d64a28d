package io.cages.devloop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Dev versions count from the project's release (the packed cage.bnd is CageBundleTest's, in tools/cagebundle). */
class DevVersionsTest {

    @Test
    void devVersionsCountFromTheReleaseOfTheDeclaredVersion() {
        assertEquals("1.2.3", CageProject.releaseOf("1.2.3-SNAPSHOT"));
        assertEquals("1.2.0", CageProject.releaseOf("1.2"));
        assertEquals("2.0.0", CageProject.releaseOf("2.0.0.RELEASE"));
        assertEquals("0.0.0", CageProject.releaseOf(null));
        assertEquals("0.0.0", CageProject.releaseOf("snapshot"));
    }
}
