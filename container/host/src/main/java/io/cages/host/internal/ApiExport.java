package io.cages.host.internal;

import io.cages.api.CageHandler;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The {@code Export-Package} clause of the cage API, read from the API jar's manifest (bnd writes it from
 * the {@code @Version} in package-info), so the version exported by the system bundle is defined once.
 */
final class ApiExport {

    private ApiExport() {
    }

    static String clause() {
        Manifest manifest = readApiManifest();
        String export = manifest.getMainAttributes().getValue("Export-Package");
        if (export == null || !export.contains("io.cages.api") || !export.contains("version=")) {
            throw new IllegalStateException("the cage API jar's manifest has no versioned Export-Package for io.cages.api: " + export);
        }
        return export;
    }

    private static Manifest readApiManifest() {
        try {
            Path location = Path.of(CageHandler.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(location)) {
                try (InputStream in = Files.newInputStream(location.resolve("META-INF/MANIFEST.MF"))) {
                    return new Manifest(in);
                }
            }
            try (JarFile jar = new JarFile(location.toFile())) {
                Manifest manifest = jar.getManifest();
                if (manifest == null) {
                    throw new IllegalStateException(location + " has no manifest");
                }
                return manifest;
            }
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot read the cage API manifest: " + e, e);
        }
    }
}
