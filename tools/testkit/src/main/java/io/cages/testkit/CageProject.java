package io.cages.testkit;

import aQute.bnd.osgi.Builder;
import aQute.bnd.osgi.Jar;
import aQute.bnd.osgi.Processor;
import io.cages.api.CageHandler;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The cage project under test: its compiled classes and its {@code bnd.bnd}, turned into a cage jar with the
 * shared cage instructions, the way the cage parent's bnd-maven-plugin does at {@code package}.
 *
 * <p>The cage parent tells the test JVM where things are ({@code cages.project.dir},
 * {@code cages.classes.dir}, {@code cages.project.version}); without them (a test started from an IDE) the
 * working directory is the project and {@code target/classes} its classes.
 */
public final class CageProject {

    private static final String SHARED_INSTRUCTIONS = "cage.bnd";

    private final Path dir;
    private final Path classes;
    private final String version;

    public CageProject(Path dir, Path classes, String version) {
        this.dir = dir.toAbsolutePath().normalize();
        this.classes = classes.toAbsolutePath().normalize();
        this.version = version;
    }

    /** The project this test JVM was started for. */
    public static CageProject current() {
        Path dir = Path.of(System.getProperty("cages.project.dir", "."));
        Path classes = Path.of(System.getProperty("cages.classes.dir", dir.resolve("target/classes").toString()));
        return new CageProject(dir, classes, System.getProperty("cages.project.version", "0.0.0"));
    }

    public Path dir() {
        return dir;
    }

    public Path bndFile() {
        return dir.resolve("bnd.bnd");
    }

    /** The project's {@code Cage-Name}. */
    public String cageName() {
        try (Builder builder = builder()) {
            String name = builder.getProperty("Cage-Name");
            if (name == null || name.isBlank()) {
                throw new IllegalStateException(bndFile() + " has no Cage-Name");
            }
            return name.trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The Bundle-Version the project's jar gets: its bnd.bnd's, else its Maven version as OSGi writes it. */
    public String bundleVersion() {
        try (Builder builder = builder()) {
            return builder.getProperty("Bundle-Version").trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
        try (Builder builder = builder()) {
            if (bundleVersion != null) {
                builder.setProperty("Bundle-Version", bundleVersion);
            }
            builder.setJar(new Jar(dir.getFileName().toString(), classes.toFile()));
            builder.addClasspath(locationOf(CageHandler.class)); // for the API's version, hence the import range
            Jar jar = builder.build();
            if (!builder.isOk()) {
                throw new IllegalStateException("bnd cannot build the cage from " + bndFile() + ": " + builder.getErrors());
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            jar.write(bytes);
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("bnd cannot build the cage from " + bndFile() + ": " + e.getMessage(), e);
        }
    }

    /** The shared instructions, then the project's bnd.bnd on top, then its Maven version unless bnd.bnd names one. */
    private Builder builder() throws IOException {
        if (!Files.isRegularFile(bndFile())) {
            throw new IllegalStateException("no bnd.bnd in " + dir + ": a cage project names its Cage-Name and Cage-Handler there");
        }
        Processor shared = new Processor();
        shared.setProperties(sharedInstructions());
        shared.setProperty("Bundle-Version", osgiVersion(version));
        Builder builder = new Builder(shared);
        builder.setBase(dir.toFile());
        builder.setProperties(bndFile().toFile());
        return builder;
    }

    /** 1.2.0-SNAPSHOT as an OSGi version: 1.2.0.SNAPSHOT (the kit keeps the word; bnd-maven-plugin puts the build time there). */
    static String osgiVersion(String mavenVersion) {
        return aQute.bnd.version.MavenVersion.parseMavenString(mavenVersion).getOSGiVersion().toString();
    }

    private static Properties sharedInstructions() throws IOException {
        try (InputStream in = CageProject.class.getResourceAsStream(SHARED_INSTRUCTIONS)) {
            if (in == null) {
                throw new IllegalStateException("the testing kit jar lacks io/cages/testkit/" + SHARED_INSTRUCTIONS);
            }
            Properties properties = new aQute.lib.utf8properties.UTF8Properties();
            properties.load(in);
            return properties;
        }
    }

    private static File locationOf(Class<?> type) {
        try {
            return new File(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
