package io.cages.host.internal;

import io.cages.api.CageHandler;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.util.tracker.BundleTracker;

/**
 * The extender: recognises cage bundles by their {@code Cage-Name} header when they become active and
 * creates their handler, so cage code needs no activator or other OSGi code.
 *
 * <p>The tracker is synchronous: when {@code bundle.start()} returns, {@link #revisionOf} has the new
 * version, or {@link #failureOf} says why the handler could not be created.
 */
final class CageExtender extends BundleTracker<CageRevision> {

    private final CageConfigs configs;
    private final CageCalls calls;
    private final HostResources resources;
    private final Map<Long, DeployException> failures = new ConcurrentHashMap<>();

    CageExtender(BundleContext context, CageConfigs configs, CageCalls calls, HostResources resources) {
        super(context, Bundle.ACTIVE, null);
        this.resources = resources;
        this.configs = configs;
        this.calls = calls;
    }

    @Override
    public CageRevision addingBundle(Bundle bundle, BundleEvent event) {
        String name = bundle.getHeaders().get(CageManifest.CAGE_NAME);
        if (name == null) {
            return null;
        }
        try {
            CageManifest manifest = CageManifest.of(name, bundle.getHeaders().get(CageManifest.CAGE_HANDLER),
                    bundle.getVersion().toString(), bundle.getSymbolicName(), bundle.getHeaders().get(CageManifest.CAGE_IDEMPOTENT));
            CageHandler handler = instantiate(bundle, manifest.handlerClass());
            return new CageRevision(manifest, bundle, handler, new HostCageContext(manifest.name(), manifest.version(), configs, calls, resources));
        } catch (DeployException e) {
            failures.put(bundle.getBundleId(), e);
            return null;
        }
    }

    @Override
    public void removedBundle(Bundle bundle, BundleEvent event, CageRevision revision) {
        failures.remove(bundle.getBundleId());
    }

    CageRevision revisionOf(Bundle bundle) {
        return getObject(bundle);
    }

    DeployException failureOf(Bundle bundle) {
        return failures.remove(bundle.getBundleId());
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
