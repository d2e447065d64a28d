package io.cages.testkit;

import io.cages.api.CageHandler;
import io.cages.testkit.stub.StubCage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Stub cage jars of one host, and the handlers registered for them until the host closes. */
final class Stubs implements AutoCloseable {

    private static final String PACKAGE_PATH = StubCage.class.getPackageName().replace('.', '/');

    private final List<String> keys = new ArrayList<>();
    private final AtomicInteger versions = new AtomicInteger();

    /** A cage jar named {@code name} whose calls {@code handler} answers; each has a new version. */
    synchronized byte[] jar(String name, CageHandler handler) {
        String key = "io.cages.testkit.stub." + UUID.randomUUID();
        System.getProperties().put(key, handler);
        keys.add(key);
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", "cage." + name);
        main.putValue("Bundle-Version", "0.0.0.stub" + versions.incrementAndGet());
        main.putValue("Import-Package", "io.cages.api");
        main.putValue("Cage-Name", name);
        main.putValue("Cage-Handler", StubCage.class.getName());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes, manifest);
             InputStream handlerClass = StubCage.class.getResourceAsStream(StubCage.class.getSimpleName() + ".class")) {
            jar.putNextEntry(new JarEntry(PACKAGE_PATH + "/" + StubCage.class.getSimpleName() + ".class"));
            handlerClass.transferTo(jar);
            jar.closeEntry();
            jar.putNextEntry(new JarEntry(PACKAGE_PATH + "/key"));
            jar.write(key.getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    @Override
    public synchronized void close() {
        keys.forEach(System.getProperties()::remove);
        keys.clear();
    }
}
