package io.cages.testkit;

import io.cages.cagebundle.CageBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The cage project under test: its compiled classes and its {@code bnd.bnd}, turned into a cage jar exactly as
 * the cage parent's bnd-maven-plugin does at {@code package} (the work is io.cages.cagebundle's, shared with the
 * dev loop).
 *
 * <p>The cage parent tells the test JVM where things are ({@code cages.project.dir},
 * {@code cages.classes.dir}, {@code cages.project.version}); without them (a test started from an IDE) the
 * working directory is the project and {@code target/classes} its classes.
 */
public final class CageProject {

    private final CageBundle bundle;
    private final Path classes;

    public CageProject(Path dir, Path classes, String version) {
        this.bundle = CageBundle.of(dir).withMavenVersion(version);
        this.classes = classes.toAbsolutePath().normalize();
    }

    /** The project this test JVM was started for. */
    public static CageProject current() {
        Path dir = Path.of(System.getProperty("cages.project.dir", "."));
        Path classes = Path.of(System.getProperty("cages.classes.dir", dir.resolve("target/classes").toString()));
        return new CageProject(dir, classes, System.getProperty("cages.project.version", "0.0.0"));
    }

    public Path dir() {
        return bundle.dir();
    }

    public Path bndFile() {
        return bundle.bndFile();
    }

    /** The project's {@code Cage-Name}. */
    public String cageName() {
        return bundle.cageName();
    }

    /** The Bundle-Version the project's jar gets: its bnd.bnd's, else its Maven version as OSGi writes it. */
    public String bundleVersion() {
        return bundle.bundleVersion();
    }

    /** The cage jar of the project as compiled now. */
    public byte[] build() {
        return build(null);
    }

    /**
     * The cage jar with {@code bundleVersion} instead of the project's version (null: the project's), so that
     * a rebuild of the same code deploys as a new version.
     */
    public byte[] build(String bundleVersion) {
        if (!Files.isDirectory(classes)) {
            throw new IllegalStateException("no compiled classes in " + classes + "; run the tests with mvn test (or compile first)");
        }
        // Maven's target/classes already holds the project's resources.
        return bundle.build(classes, List.of(), bundleVersion);
    }

    /** 1.2.0-SNAPSHOT as an OSGi version: 1.2.0.SNAPSHOT (the kit keeps the word; bnd-maven-plugin puts the build time there). */
    static String osgiVersion(String mavenVersion) {
        return CageBundle.osgiVersion(mavenVersion);
    }
}
