package io.cages.devloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.cages.cagebundle.CageBundle;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The in-process bundle maker (io.cages.cagebundle, used by the dev loop and the testing kit) and the Maven build
 * (the cage parent's bnd-maven-plugin) make the same bundle of the same project: cages/hello's jar as Maven built
 * it against the bundle of its classes and bnd.bnd made here. It lives here, not in tools/cagebundle, because
 * cage-hello's build needs the testing kit, which needs cagebundle: only a module after hello can depend on it.
 */
class MavenEquivalenceTest {

    private static final Path HELLO = Path.of(System.getProperty("cages.repo", "../..")).resolve("cages/hello");

    @Test
    void helloBuiltInProcessHasTheHeadersMavenGaveIt(@TempDir Path classes) throws IOException {
        Path mavenJar = Path.of(System.getProperty("cages.hello.jar"));
        Attributes maven;
        try (JarFile jar = new JarFile(mavenJar.toFile())) {
            maven = jar.getManifest().getMainAttributes();
            unpackContent(jar, classes);
        }
        byte[] built = CageBundle.of(HELLO).withClassPath(List.of(ClassPaths.cageApi())).build(classes, List.of(), null);
        Attributes ours;
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(built))) {
            ours = in.getManifest().getMainAttributes();
        }
        assertFalse(cageHeaders(maven).isEmpty(), mavenJar + " has no cage headers");
        assertEquals(cageHeaders(maven), cageHeaders(ours));
        for (String header : List.of("Bundle-SymbolicName", "Bundle-Version", "Import-Package", "Export-Package")) {
            assertEquals(maven.getValue(header), ours.getValue(header), header);
        }
        assertNotNull(ours.getValue("Import-Package"));
    }

    private static Map<String, String> cageHeaders(Attributes main) {
        Map<String, String> headers = new TreeMap<>();
        main.forEach((name, value) -> {
            if (name.toString().startsWith("Cage-")) {
                headers.put(name.toString(), value.toString());
            }
        });
        return headers;
    }

    /** The jar's classes and resources, as target/classes held them (without Maven's manifest and pom copy). */
    private static void unpackContent(JarFile jar, Path dir) throws IOException {
        for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
            JarEntry entry = entries.nextElement();
            if (entry.isDirectory() || entry.getName().startsWith("META-INF/")) {
                continue;
            }
            Path target = dir.resolve(entry.getName());
            Files.createDirectories(target.getParent());
            try (InputStream in = jar.getInputStream(entry)) {
                Files.copy(in, target);
            }
        }
    }
}
