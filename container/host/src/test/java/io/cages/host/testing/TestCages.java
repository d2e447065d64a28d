package io.cages.host.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Builds cage bundle jars inside a test from compiled test classes, the way Felix's own tests build theirs:
 * a manifest plus the class files of one package. The classes must use only io.cages.api and java.*.
 */
public final class TestCages {

    private TestCages() {
    }

    /** A cage jar named {@code cage} at {@code version} whose handler is {@code handler}. */
    public static byte[] build(String cage, String version, Class<?> handler) {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", "cage." + cage);
        main.putValue("Bundle-Version", version);
        // What bnd writes for a cage built against API 2.x (bnd/cage.bnd): any host with the same major version.
        main.putValue("Import-Package", "io.cages.api;version=\"[2.0,3)\"");
        main.putValue("Cage-Name", cage);
        main.putValue("Cage-Handler", handler.getName());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        String packagePath = handler.getPackageName().replace('.', '/');
        try (JarOutputStream jar = new JarOutputStream(bytes, manifest)) {
            Path classes = classDirOf(handler);
            if (Files.isDirectory(classes)) {
                try (DirectoryStream<Path> files = Files.newDirectoryStream(classes.resolve(packagePath), "*.class")) {
                    for (Path file : files) {
                        jar.putNextEntry(new JarEntry(packagePath + "/" + file.getFileName()));
                        jar.write(Files.readAllBytes(file));
                        jar.closeEntry();
                    }
                }
            } else {
                copyPackageFromJar(classes, packagePath, jar); // the helpers used from another module's test-jar
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void copyPackageFromJar(Path source, String packagePath, JarOutputStream jar) throws IOException {
        try (java.util.jar.JarFile in = new java.util.jar.JarFile(source.toFile())) {
            for (JarEntry entry : java.util.Collections.list(in.entries())) {
                String name = entry.getName();
                if (name.startsWith(packagePath + "/") && name.endsWith(".class") && name.indexOf('/', packagePath.length() + 1) < 0) {
                    jar.putNextEntry(new JarEntry(name));
                    try (InputStream classBytes = in.getInputStream(entry)) {
                        classBytes.transferTo(jar);
                    }
                    jar.closeEntry();
                }
            }
        }
    }

    /** A copy of {@code jar} whose manifest says {@code name: value} (e.g. another Bundle-Version). */
    public static byte[] withHeader(byte[] jar, String name, String value) {
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
            Manifest manifest = new Manifest(in.getManifest());
            manifest.getMainAttributes().putValue(name, value);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (JarOutputStream out = new JarOutputStream(bytes, manifest)) {
                for (JarEntry entry; (entry = in.getNextJarEntry()) != null; ) {
                    out.putNextEntry(new JarEntry(entry.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a built jar, e.g. an example cage from its Maven target folder. */
    public static byte[] read(Path jar) {
        try (InputStream in = Files.newInputStream(jar)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path classDirOf(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
