package io.cages.host.internal;

import io.cages.api.CageHandler;
import org.osgi.framework.Bundle;

/**
 * What remains of the extender pattern: builds a cage version from a started bundle and the manifest the
 * swap coordinator read from its jar, so cage code needs no activator or other OSGi code. Nothing tracks
 * bundles: the coordinator installs every cage bundle itself and asks for its revision right after starting it.
 */
final class RevisionFactory {

    private final CageConfigs configs;
    private final CageCalls calls;
    private final HostResources resources;

    RevisionFactory(CageConfigs configs, CageCalls calls, HostResources resources) {
        this.configs = configs;
        this.calls = calls;
        this.resources = resources;
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
