package io.cages.cagebundle;

import aQute.bnd.osgi.Builder;
import aQute.bnd.osgi.FileResource;
import aQute.bnd.osgi.Jar;
import aQute.bnd.osgi.Processor;
import aQute.bnd.version.MavenVersion;
import aQute.lib.utf8properties.UTF8Properties;
import io.cages.api.CageHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * A cage project's bundle, made in this JVM with bndlib exactly as the cage parent's bnd-maven-plugin makes it at
 * {@code package}. The instructions are layered as Maven layers them:
 * <ol>
 *   <li>the shared cage instructions ({@code bnd/cage.bnd}, packed into this module's jar), as the parent POM's
 *       {@code <bnd>} configuration;</li>
 *   <li>the project's {@code bnd.bnd} on top: a key it sets wins over the shared one (bnd-maven-plugin loads the
 *       parent's instructions first and the project's over them);</li>
 *   <li>Bundle-Version from the Maven version unless bnd.bnd names one;</li>
 *   <li>and, for a test swap or a dev build, a version override over everything.</li>
 * </ol>
 * Immutable; every call reads bnd.bnd afresh, so an edit shows in the next build.
 */
public final class CageBundle {

    /** Where this module's jar holds bnd/cage.bnd. */
    public static final String SHARED_INSTRUCTIONS = "/io/cages/cagebundle/cage.bnd";

    private final Path dir;
    private final String mavenVersion;
    private final List<Path> classPath;

    private CageBundle(Path dir, String mavenVersion, List<Path> classPath) {
        this.dir = dir.toAbsolutePath().normalize();
        this.mavenVersion = mavenVersion;
        this.classPath = List.copyOf(classPath);
    }

    /** The cage project in {@code dir} (its bnd.bnd is read when asked for, not here), with no Maven version. */
    public static CageBundle of(Path dir) {
        return new CageBundle(dir, null, List.of());
    }

    /** This project with its Maven {@code <version>}, the Bundle-Version unless bnd.bnd names one. */
    public CageBundle withMavenVersion(String version) {
        return new CageBundle(dir, version, classPath);
    }

    /**
     * This project with the class path its classes compile against, where bnd finds the versions of the packages
     * they import. The cage API is always on it.
     */
    public CageBundle withClassPath(List<Path> entries) {
        return new CageBundle(dir, mavenVersion, entries);
    }

    public Path dir() {
        return dir;
    }

    public Path bndFile() {
        return dir.resolve("bnd.bnd");
    }

    /** A header or instruction as the bundle gets it (all layers, macros expanded), or null. */
    public String property(String name) {
        try (Builder builder = builder()) {
            String value = builder.getProperty(name);
            return value == null ? null : value.strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The project's {@code Cage-Name}. */
    public String cageName() {
        String name = property("Cage-Name");
        if (name == null || name.isEmpty()) {
            throw new CageBundleException(bndFile() + " has no Cage-Name");
        }
        return name;
    }

    /** The Bundle-Version the project's jar gets without an override. */
    public String bundleVersion() {
        return property("Bundle-Version");
    }

    /**
     * The bundle of the classes in {@code classesDir} plus the files under each of {@code resourceDirs} (a Maven
     * {@code target/classes} already holds its resources: pass none), with {@code bundleVersion} over every other
     * version (null: no override).
     */
    public byte[] build(Path classesDir, List<Path> resourceDirs, String bundleVersion) {
        if (!Files.isDirectory(classesDir)) {
            throw new CageBundleException("no compiled classes in " + classesDir);
        }
        try (Builder builder = builder()) {
            if (bundleVersion != null) {
                builder.setProperty("Bundle-Version", bundleVersion);
            }
            Jar content = new Jar(dir.getFileName().toString(), classesDir.toFile());
            // A manifest left in the classes folder (Maven's bnd-process writes one there) is not an input.
            content.setManifest(new Manifest());
            for (Path resources : resourceDirs) {
                addFiles(content, resources);
            }
            builder.setJar(content);
            for (Path entry : fullClassPath()) {
                builder.addClasspath(entry.toFile());
            }
            Jar bundle = builder.build();
            if (!builder.isOk()) {
                throw new CageBundleException("bnd cannot build the cage from " + bndFile() + ": " + String.join("; ", builder.getErrors()));
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
            bundle.write(bytes);
            return bytes.toByteArray();
        } catch (CageBundleException e) {
            throw e;
        } catch (Exception e) {
            throw new CageBundleException("bnd cannot build the cage from " + bndFile() + ": " + e.getMessage(), e);
        }
    }

    /** 1.2.0-SNAPSHOT as an OSGi version: 1.2.0.SNAPSHOT (bnd-maven-plugin puts the build time where SNAPSHOT is). */
    public static String osgiVersion(String mavenVersion) {
        return MavenVersion.parseMavenString(mavenVersion).getOSGiVersion().toString();
    }

    /** bnd/cage.bnd as packed into this module's jar. */
    public static String sharedInstructionsText() {
        try (InputStream in = CageBundle.class.getResourceAsStream(SHARED_INSTRUCTIONS)) {
            if (in == null) {
                throw new CageBundleException("the cages-cagebundle jar lacks " + SHARED_INSTRUCTIONS);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Builder builder() throws IOException {
        if (!Files.isRegularFile(bndFile())) {
            throw new CageBundleException("no bnd.bnd in " + dir + ": a cage project names its Cage-Name and Cage-Handler there");
        }
        Processor shared = new Processor();
        shared.setProperties(sharedInstructions());
        if (mavenVersion != null) {
            shared.setProperty("Bundle-Version", osgiVersion(mavenVersion));
        }
        Builder builder = new Builder(shared);
        builder.setBase(dir.toFile());
        builder.setProperties(bndFile().toFile());
        return builder;
    }

    private static Properties sharedInstructions() throws IOException {
        UTF8Properties properties = new UTF8Properties();
        properties.load(sharedInstructionsText(), null, null);
        return properties;
    }

    private List<Path> fullClassPath() {
        Set<Path> entries = new LinkedHashSet<>();
        for (Path entry : classPath) {
            entries.add(entry.toAbsolutePath().normalize());
        }
        entries.add(locationOf(CageHandler.class));
        return new ArrayList<>(entries);
    }

    private static void addFiles(Jar content, Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).toList();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        for (Path file : files) {
            content.putResource(dir.relativize(file).toString().replace('\\', '/'), new FileResource(file));
        }
    }

    private static Path locationOf(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath().normalize();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
