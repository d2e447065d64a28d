package io.cages.process.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cages.api.CageHandler;
import io.cages.host.spi.ForeignCage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/** A process cage archive: a zip with {@code cage.json} at its root, and the program's files beside it. */
public final class ProcessCage implements ForeignCage {

    static final String MANIFEST = "cage.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Manifest manifest;
    private final byte[] archive;

    private ProcessCage(Manifest manifest, byte[] archive) {
        this.manifest = manifest;
        this.archive = archive;
    }

    /**
     * @return the cage, or null when the archive is not a zip with a {@code cage.json} at its root
     * @throws IllegalArgumentException when {@code cage.json} is there but wrong
     */
    public static ProcessCage read(byte[] archive) {
        if (archive.length < 4 || archive[0] != 'P' || archive[1] != 'K') {
            return null;
        }
        byte[] json = null;
        boolean cageBundle = false;
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(archive))) {
            for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
                if (entry.getName().equals(MANIFEST)) {
                    json = zip.readAllBytes();
                } else if (entry.getName().equals("META-INF/MANIFEST.MF")) {
                    cageBundle = new java.util.jar.Manifest(zip).getMainAttributes().getValue("Cage-Name") != null;
                }
            }
        } catch (IOException e) {
            return null; // not a readable zip: the host reports it as a jar that cannot be read
        }
        if (json == null || cageBundle) {
            return null; // a Java cage bundle may carry a cage.json of its own: it stays a bundle
        }
        JsonNode tree;
        try {
            tree = JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("cage.json is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("cage.json cannot be read: " + e.getMessage());
        }
        return new ProcessCage(Manifest.parse(tree), archive);
    }

    @Override
    public String name() {
        return manifest.name();
    }

    @Override
    public String version() {
        return manifest.version();
    }

    @Override
    public List<String> idempotent() {
        return manifest.idempotent();
    }

    @Override
    public CageHandler newHandler(Path dir, Consumer<String> failed) throws IOException {
        extract(archive, dir);
        return manifest.mode() == Manifest.Mode.POOL ? new PoolHandler(manifest, dir, failed) : new PerRequestHandler(manifest, dir);
    }

    /** Unpacks every entry under {@code dir}; files are made executable, since zips made by many tools lose the bit. */
    static void extract(byte[] archive, Path dir) throws IOException {
        Path root = dir.toAbsolutePath().normalize();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(archive))) {
            for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
                Path target = root.resolve(entry.getName()).normalize();
                if (!target.startsWith(root)) {
                    throw new IOException("archive entry '" + entry.getName() + "' points outside the cage's folder");
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                    continue;
                }
                Files.createDirectories(target.getParent());
                Files.copy(zip, target);
                Set<PosixFilePermission> permissions = EnumSet.copyOf(Files.getPosixFilePermissions(target));
                permissions.add(PosixFilePermission.OWNER_EXECUTE);
                Files.setPosixFilePermissions(target, permissions);
            }
        }
    }

    /** Deletes a version's folder once its processes are gone. */
    static void deleteQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // a leftover folder under the host's work dir is harmless; the next start does not reuse it
        }
    }
}
