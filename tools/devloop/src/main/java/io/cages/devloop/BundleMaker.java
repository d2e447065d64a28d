package io.cages.devloop;

import aQute.bnd.osgi.Builder;
import aQute.bnd.osgi.FileResource;
import aQute.bnd.osgi.Jar;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Makes the cage bundle in this JVM with bndlib, the way the Maven build does: the compiled classes and
 * {@code src/main/resources}, the project's {@code bnd.bnd}, then the shared instructions every cage
 * includes ({@code bnd/cage.bnd}, packed into this tool's jar at build time), and the dev version.
 */
final class BundleMaker {

    /** bnd/cage.bnd from the repository, copied into the jar by this module's build. */
    static final String SHARED_INSTRUCTIONS = "/io/cages/devloop/cage.bnd";

    private final CageProject project;
    private final List<Path> classPath;
    private final Properties shared;

    BundleMaker(CageProject project, List<Path> classPath) {
        this.project = project;
        this.classPath = List.copyOf(classPath);
        this.shared = sharedInstructions();
    }

    /** The bundle's bytes, or a {@link DevLoopException} with bnd's errors. */
    byte[] make(String version) {
        return make(version, project.classesDir());
    }

    /** The bundle of the classes in {@code classesDir}. */
    byte[] make(String version, Path classesDir) {
        try (Builder builder = new Builder()) {
            builder.setBase(project.root().toFile());
            builder.setProperties(project.bndFile().toFile());
            // cage.bnd is included after the cage's own headers, so, as in the Maven build, its values win.
            shared.forEach((k, v) -> builder.setProperty((String) k, (String) v));
            builder.setProperty("Bundle-Version", version);
            Jar content = new Jar(project.root().getFileName().toString(), classesDir.toFile());
            content.setManifest(new Manifest());
            addResources(content);
            builder.setJar(content);
            for (Path entry : classPath) {
                builder.addClasspath(entry.toFile());
            }
            Jar bundle = builder.build();
            if (!builder.isOk()) {
                throw new DevLoopException("bnd could not make the bundle: " + String.join("; ", builder.getErrors()));
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
            bundle.write(bytes);
            return bytes.toByteArray();
        } catch (DevLoopException e) {
            throw e;
        } catch (Exception e) {
            throw new DevLoopException("bnd could not make the bundle: " + e, e);
        }
    }

    private void addResources(Jar content) throws IOException {
        Path dir = project.resources();
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<Path> found = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.filter(Files::isRegularFile).forEach(found::add);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        for (Path file : found) {
            String name = dir.relativize(file).toString().replace('\\', '/');
            content.putResource(name, new FileResource(file));
        }
    }

    static Properties sharedInstructions() {
        Properties p = new Properties();
        try (InputStream in = BundleMaker.class.getResourceAsStream(SHARED_INSTRUCTIONS)) {
            if (in == null) {
                throw new DevLoopException("the shared cage instructions (" + SHARED_INSTRUCTIONS + ") are missing from the dev loop's jar");
            }
            p.load(in);
        } catch (IOException e) {
            throw new DevLoopException("cannot read the shared cage instructions: " + e.getMessage(), e);
        }
        return p;
    }
}
