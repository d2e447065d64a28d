package io.cages.cagebundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.cagebundle.fixture.FixtureCage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cage project becomes the bundle the cage parent's Maven build makes of it. The precedence asserted here was
 * read off a real Maven build (a project whose bnd.bnd sets Bundle-SymbolicName, Export-Package and
 * -noextraheaders gets its own values in the jar); tools/devloop's MavenEquivalenceTest compares whole manifests.
 */
class CageBundleTest {

    private static final String FIXTURE_CLASS = FixtureCage.class.getName().replace('.', '/') + ".class";

    @TempDir
    Path project;
    Path classes;

    @BeforeEach
    void compiledClasses() throws IOException {
        classes = Files.createDirectories(project.resolve("classes"));
        Path target = classes.resolve(FIXTURE_CLASS);
        Files.createDirectories(target.getParent());
        try (InputStream in = FixtureCage.class.getClassLoader().getResourceAsStream(FIXTURE_CLASS)) {
            Files.copy(in, target);
        }
    }

    @Test
    void thePackedInstructionsAreTheRepositorysCageBnd() throws IOException {
        Path repo = Path.of(System.getProperty("cages.repo", "../.."));
        assertEquals(Files.readString(repo.resolve("bnd/cage.bnd")), CageBundle.sharedInstructionsText());
    }

    @Test
    void theSharedInstructionsShapeTheBundle() throws IOException {
        bnd("Cage-Name: fixture\nCage-Handler: " + FixtureCage.class.getName() + "\n");
        Attributes main = manifest(CageBundle.of(project).withMavenVersion("1.2.0-SNAPSHOT").build(classes, List.of(), null));
        assertEquals("fixture", main.getValue("Cage-Name"));
        assertEquals("cage.fixture", main.getValue("Bundle-SymbolicName"));
        assertEquals("1.2.0.SNAPSHOT", main.getValue("Bundle-Version"));
        String imports = main.getValue("Import-Package");
        assertTrue(imports.matches("io\\.cages\\.api;version=\"\\[\\d+\\.\\d+,\\d+\\)\""), imports);
        assertNull(main.getValue("Export-Package"));
        assertNull(main.getValue("Tool"), "-noextraheaders");
        assertNull(main.getValue("Bnd-LastModified"), "reproducible: no timestamp");
    }

    @Test
    void theProjectsBndFileWinsOverTheSharedInstructionsAsInMaven() throws IOException {
        bnd("""
                Cage-Name: fixture
                Cage-Handler: %s
                Bundle-SymbolicName: custom.fixture
                Export-Package: io.cages.cagebundle.fixture
                -noextraheaders: false
                """.formatted(FixtureCage.class.getName()));
        Attributes main = manifest(CageBundle.of(project).withMavenVersion("1.0.0").build(classes, List.of(), null));
        assertEquals("custom.fixture", main.getValue("Bundle-SymbolicName"));
        assertTrue(main.getValue("Export-Package").startsWith("io.cages.cagebundle.fixture"), main.getValue("Export-Package"));
        assertNotNull(main.getValue("Tool"), "bnd.bnd's -noextraheaders: false");
    }

    @Test
    void bndFilesVersionBeatsMavensAndAnOverrideBeatsBoth() throws IOException {
        bnd("Cage-Name: fixture\nCage-Handler: x.Y\nBundle-Version: 1.0.0\n");
        CageBundle bundle = CageBundle.of(project).withMavenVersion("3.0.0-SNAPSHOT");
        assertEquals("1.0.0", bundle.bundleVersion());
        assertEquals("2.0.0.swap1", manifest(bundle.build(classes, List.of(), "2.0.0.swap1")).getValue("Bundle-Version"));
        bnd("Cage-Name: fixture\nCage-Handler: x.Y\n");
        assertEquals("3.0.0.SNAPSHOT", bundle.bundleVersion(), "bnd.bnd is read afresh");
        assertEquals("fixture", bundle.cageName());
    }

    @Test
    void resourceFoldersJoinTheClasses() throws IOException {
        bnd("Cage-Name: fixture\nCage-Handler: x.Y\n");
        Path resources = Files.createDirectories(project.resolve("resources/templates"));
        Files.writeString(resources.resolve("hi.txt"), "hi");
        byte[] jar = CageBundle.of(project).build(classes, List.of(project.resolve("resources")), "1.0.0");
        List<String> entries = entries(jar);
        assertTrue(entries.contains("templates/hi.txt"), entries.toString());
        assertTrue(entries.contains(FIXTURE_CLASS), entries.toString());
    }

    @Test
    void aProjectWithoutBndFileSaysWhatIsMissing() {
        CageBundleException missing = assertThrows(CageBundleException.class,
                () -> CageBundle.of(project).build(classes, List.of(), null));
        assertTrue(missing.getMessage().contains("no bnd.bnd in " + project), missing.getMessage());
    }

    @Test
    void bndsErrorsAreReported() throws IOException {
        bnd("Cage-Name: fixture\nCage-Handler: x.Y\nBundle-Version: not a version\n");
        CageBundleException failed = assertThrows(CageBundleException.class,
                () -> CageBundle.of(project).build(classes, List.of(), null));
        assertTrue(failed.getMessage().startsWith("bnd cannot build the cage from " + project.resolve("bnd.bnd")), failed.getMessage());
    }

    private void bnd(String text) throws IOException {
        Files.writeString(project.resolve("bnd.bnd"), text);
    }

    private static Attributes manifest(byte[] jar) throws IOException {
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
            return in.getManifest().getMainAttributes();
        }
    }

    private static List<String> entries(byte[] jar) throws IOException {
        List<String> names = new ArrayList<>();
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
            for (JarEntry entry; (entry = in.getNextJarEntry()) != null; ) {
                names.add(entry.getName());
            }
        }
        return names;
    }
}
