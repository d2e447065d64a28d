package io.cages.host.internal;

import io.cages.host.HostConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;
import org.osgi.framework.Version;

/**
 * The cage headers of a bundle manifest: {@code Cage-Name}, {@code Cage-Handler}, the bundle's version and
 * the operation lists {@code Cage-Idempotent} and {@code Cage-Non-Blocking}.
 */
record CageManifest(String name, String handlerClass, String version, String symbolicName, List<String> idempotent,
                    Set<String> nonBlocking) {

    public static final String CAGE_NAME = "Cage-Name";
    public static final String CAGE_HANDLER = "Cage-Handler";
    /** Operations safe to repeat, comma-separated: failover may retry them after a lost answer. */
    public static final String CAGE_IDEMPOTENT = "Cage-Idempotent";
    /**
     * Operations that never block, comma-separated: the host may run them on the thread that received the
     * request (an I/O thread) instead of handing each to a virtual thread of its own.
     */
    public static final String CAGE_NON_BLOCKING = "Cage-Non-Blocking";

    /**
     * Reads and checks the manifest of a jar before anything is installed: the one read of a swap.
     *
     * @throws DeployException naming what is missing or malformed
     */
    public static CageManifest read(byte[] jar) throws DeployException {
        if (jar.length < 4 || jar[0] != 'P' || jar[1] != 'K' || jar[2] != 3 || jar[3] != 4) {
            throw new DeployException("not a jar: " + jar.length + " bytes that do not start with a zip header");
        }
        Manifest manifest;
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
            manifest = in.getManifest();
        } catch (IOException e) {
            throw new DeployException("not a readable jar: " + e.getMessage());
        }
        if (manifest == null) {
            throw new DeployException("the jar has no META-INF/MANIFEST.MF (or it is not the first entry)");
        }
        Attributes main = manifest.getMainAttributes();
        return of(main.getValue(CAGE_NAME), main.getValue(CAGE_HANDLER), main.getValue("Bundle-Version"),
                main.getValue("Bundle-SymbolicName"), main.getValue(CAGE_IDEMPOTENT), main.getValue(CAGE_NON_BLOCKING));
    }

    /**
     * The manifest of a cage a {@link io.cages.host.spi.CageRuntime} recognized: no bundle, so the handler class
     * names the runtime ({@code process}) and the symbolic name is {@code <kind>:<name>}.
     *
     * @throws DeployException when the name or version is not valid
     */
    public static CageManifest foreign(String kind, io.cages.host.spi.ForeignCage cage) throws DeployException {
        String name = cage.name() == null ? null : cage.name().trim();
        if (name == null || !HostConfig.isValidCageName(name)) {
            throw new DeployException(kind + " cage: name '" + name + "' is not a valid cage name (lower-case letters, digits and '-', starting with a letter, at most 63)");
        }
        String parsedVersion;
        try {
            parsedVersion = Version.parseVersion(cage.version()).toString();
        } catch (IllegalArgumentException e) {
            throw new DeployException(kind + " cage '" + name + "': version '" + cage.version() + "' is not a valid version: " + e.getMessage());
        }
        return new CageManifest(name, kind, parsedVersion, kind + ":" + name, List.copyOf(cage.idempotent()), Set.of());
    }

    /** Checks the header values. */
    private static CageManifest of(String name, String handler, String version, String symbolicName, String idempotent,
                                   String nonBlocking) throws DeployException {
        if (name == null || name.isBlank()) {
            throw new DeployException("not a cage bundle: the manifest has no Cage-Name header");
        }
        name = name.trim();
        if (!HostConfig.isValidCageName(name)) {
            throw new DeployException("Cage-Name '" + name + "' is not a valid cage name (lower-case letters, digits and '-', starting with a letter, at most 63)");
        }
        if (handler == null || handler.isBlank()) {
            throw new DeployException("cage '" + name + "': the manifest has no Cage-Handler header naming the handler class");
        }
        if (symbolicName == null || symbolicName.isBlank()) {
            throw new DeployException("cage '" + name + "': the manifest has no Bundle-SymbolicName (is it an OSGi bundle?)");
        }
        String parsedVersion;
        try {
            parsedVersion = Version.parseVersion(version).toString();
        } catch (IllegalArgumentException e) {
            throw new DeployException("cage '" + name + "': Bundle-Version '" + version + "' is not a valid version: " + e.getMessage());
        }
        return new CageManifest(name, handler.trim(), parsedVersion, symbolicName.split(";")[0].trim(),
                operations(idempotent), Set.copyOf(operations(nonBlocking)));
    }

    private static List<String> operations(String header) {
        return header == null ? List.of()
                : Arrays.stream(header.split(",")).map(String::trim).filter(op -> !op.isEmpty()).toList();
    }
}
