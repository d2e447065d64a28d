package io.cages.host.internal;

import io.cages.api.CageHandler;
import io.cages.host.admin.DeployRecord;
import io.cages.host.spi.CageRuntime;
import io.cages.host.spi.ForeignCage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.osgi.framework.Bundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What remains of the extender pattern: builds a cage version from a started bundle and the manifest the
 * swap coordinator read from its jar, so cage code needs no activator or other OSGi code. Nothing tracks
 * bundles: the coordinator installs every cage bundle itself and asks for its revision right after starting it.
 *
 * <p>Archives a {@link CageRuntime} recognizes (process cages) become versions without a bundle: their handler
 * comes from the runtime, everything else (admission, deadlines, swap, drain, history) is the same.
 */
final class RevisionFactory {

    private static final Logger LOG = LoggerFactory.getLogger(RevisionFactory.class);

    /** A recognized non-bundle archive: the runtime that took it, what it read, and the host's view of it. */
    record ForeignArchive(CageRuntime runtime, ForeignCage cage, CageManifest manifest) {
    }

    private final CageConfigs configs;
    private final CageCalls calls;
    private final HostResources resources;
    private final List<CageRuntime> runtimes;
    private final Path foreignDir;
    private final DeployHistory history;
    private final AtomicLong foreignInstalls = new AtomicLong();

    RevisionFactory(CageConfigs configs, CageCalls calls, HostResources resources) {
        this(configs, calls, resources, List.of(), null, null);
    }

    RevisionFactory(CageConfigs configs, CageCalls calls, HostResources resources, List<CageRuntime> runtimes,
                    Path foreignDir, DeployHistory history) {
        this.configs = configs;
        this.calls = calls;
        this.resources = resources;
        this.runtimes = List.copyOf(runtimes);
        this.foreignDir = foreignDir;
        this.history = history;
    }

    /**
     * Offers the archive to each cage runtime.
     *
     * @return the first runtime's reading, or null when none recognizes it (then it must be a cage bundle)
     * @throws DeployException when a runtime recognized it but its manifest is wrong
     */
    ForeignArchive readForeign(byte[] archive) throws DeployException {
        for (CageRuntime runtime : runtimes) {
            ForeignCage cage;
            try {
                cage = runtime.read(archive);
            } catch (IllegalArgumentException e) {
                throw new DeployException(e.getMessage(), e);
            } catch (RuntimeException e) {
                throw new DeployException(runtime.kind() + " cage archive could not be read: " + CageRevision.describe(e), e);
            }
            if (cage != null) {
                return new ForeignArchive(runtime, cage, CageManifest.foreign(runtime.kind(), cage));
            }
        }
        return null;
    }

    /**
     * Builds the version of a recognized archive in a folder of its own. When the version later gives up serving,
     * it is marked FAILED, logged and recorded in the history.
     */
    CageRevision createForeign(ForeignArchive archive) throws DeployException {
        CageManifest manifest = archive.manifest();
        Path dir = foreignDir.resolve(manifest.name() + "-" + manifest.version() + "-" + foreignInstalls.incrementAndGet());
        AtomicReference<CageRevision> created = new AtomicReference<>();
        CageHandler handler;
        try {
            Files.createDirectories(dir);
            handler = archive.cage().newHandler(dir, reason -> failed(created.get(), reason));
        } catch (IOException e) {
            throw new DeployException("cannot create the folder " + dir + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new DeployException(archive.runtime().kind() + " cage could not be prepared: " + CageRevision.describe(e), e);
        }
        CageRevision revision = new CageRevision(manifest, null, handler,
                new HostCageContext(manifest.name(), manifest.version(), configs, calls, resources));
        created.set(revision);
        return revision;
    }

    private void failed(CageRevision revision, String reason) {
        if (revision == null || !revision.markFailed(reason)) {
            return;
        }
        LOG.error("cage {} {} FAILED: {}", revision.cage(), revision.version(), reason);
        if (history != null) {
            history.add(new DeployRecord(history.nextSeq(), Instant.now(), "FAIL", revision.cage(), revision.version(),
                    revision.version(), "supervisor", DeployRecord.Outcome.FAILED, reason, 0));
        }
    }

    /**
     * Creates the handler named by {@code manifest} from {@code bundle}'s class loader.
     *
     * @throws DeployException when the class cannot be loaded, is not a handler or cannot be created
     */
    CageRevision create(Bundle bundle, CageManifest manifest) throws DeployException {
        CageHandler handler = instantiate(bundle, manifest.handlerClass());
        return new CageRevision(manifest, bundle, handler, new HostCageContext(manifest.name(), manifest.version(), configs, calls, resources));
    }

    private static CageHandler instantiate(Bundle bundle, String className) throws DeployException {
        Class<?> type;
        try {
            type = bundle.loadClass(className);
        } catch (ClassNotFoundException | NoClassDefFoundError e) {
            throw new DeployException("Cage-Handler class " + className + " cannot be loaded from the bundle: " + e.getMessage(), e);
        }
        if (!CageHandler.class.isAssignableFrom(type)) {
            throw new DeployException("Cage-Handler class " + className + " does not implement " + CageHandler.class.getName()
                    + " (or the bundle does not import io.cages.api from the host)");
        }
        try {
            return (CageHandler) type.getDeclaredConstructor().newInstance();
        } catch (NoSuchMethodException e) {
            throw new DeployException("Cage-Handler class " + className + " has no public no-argument constructor");
        } catch (ReflectiveOperationException | LinkageError e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new DeployException("Cage-Handler class " + className + " could not be created: " + CageRevision.describe(cause), cause);
        }
    }
}
