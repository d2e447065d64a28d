package io.cages.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kit builds the cage jar as the cage parent does: the shared instructions plus the project's bnd.bnd. */
class CageProjectTest {

    @Test
    void theJarCarriesTheSharedCageHeadersAndOnlyTheProjectsClasses() throws IOException {
        CageProject project = CageProject.current();
        try (JarInputStream jar = new JarInputStream(new ByteArrayInputStream(project.build()))) {
            Attributes main = jar.getManifest().getMainAttributes();
            assertEquals("fixture", main.getValue("Cage-Name"));
            assertEquals("io.cages.testkit.fixture.FixtureCage", main.getValue("Cage-Handler"));
            assertEquals("cage.fixture", main.getValue("Bundle-SymbolicName"));
            assertEquals(CageProject.osgiVersion(System.getProperty("cages.project.version")), main.getValue("Bundle-Version"));
            String imports = main.getValue("Import-Package");
            assertTrue(imports.matches("io\\.cages\\.api;version=\"\\[\\d+\\.\\d+,\\d+\\)\""), imports);
            assertNull(main.getValue("Export-Package"));
            assertNull(main.getValue("Bnd-LastModified"), "reproducible: no timestamp");
            List<String> entries = new ArrayList<>();
            for (JarEntry entry; (entry = jar.getNextJarEntry()) != null; ) {
                entries.add(entry.getName());
            }
            assertTrue(entries.contains("io/cages/testkit/fixture/FixtureCage.class"), entries.toString());
        }
    }

    @Test
    void aSwapBuildDiffersOnlyInItsVersion() throws IOException {
        CageProject project = CageProject.current();
        try (JarInputStream jar = new JarInputStream(new ByteArrayInputStream(project.build("2.0.0.swap1")))) {
            assertEquals("2.0.0.swap1", jar.getManifest().getMainAttributes().getValue("Bundle-Version"));
        }
    }

    @Test
    void mavenVersionsBecomeOsgiVersionsAsBndMavenPluginWritesThem() {
        assertEquals("1.2.0.SNAPSHOT", CageProject.osgiVersion("1.2.0-SNAPSHOT"));
        assertEquals("1.0.0", CageProject.osgiVersion("1.0"));
    }

    @Test
    void aProjectWithoutBndFileSaysWhatIsMissing(@TempDir Path dir) throws IOException {
        CageProject project = new CageProject(dir, Files.createDirectories(dir.resolve("classes")), "1.0.0");
        IllegalStateException missing = assertThrows(IllegalStateException.class, project::build);
        assertTrue(missing.getMessage().contains("no bnd.bnd in " + dir), missing.getMessage());
    }
}
