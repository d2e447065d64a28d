package io.cages.host.internal;

import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.felix.framework.Felix;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The embedded Felix framework: started with the cage API exported by the system bundle. */
final class OsgiFramework implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OsgiFramework.class);

    private final Felix felix;

    private OsgiFramework(Felix felix) {
        this.felix = felix;
    }

    public static OsgiFramework start(Path cacheDir) throws BundleException {
        Map<String, Object> props = new HashMap<>();
        props.put(Constants.FRAMEWORK_STORAGE, cacheDir.toAbsolutePath().toString());
        // The deploy folder is the source of truth for what runs; a stale cache would resurrect old bundles.
        props.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        // Must carry ;version= or cage bundles importing a version range do not resolve.
        props.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, ApiExport.clause());
        // Two versions of a cage may share symbolic name and version while one replaces the other.
        props.put(Constants.FRAMEWORK_BSNVERSION, Constants.FRAMEWORK_BSNVERSION_MULTIPLE);
        props.put("felix.log.logger", new FelixLogBridge());
        props.put("felix.log.level", "2");
        Felix felix = new Felix(props);
        long started = System.nanoTime();
        felix.init();
        felix.start();
        LOG.info("Felix {} started in {} ms, cache {}", felix.getVersion(), (System.nanoTime() - started) / 1_000_000, cacheDir);
        return new OsgiFramework(felix);
    }

    public BundleContext context() {
        return felix.getBundleContext();
    }

    public Bundle install(String location, InputStream jar) throws BundleException {
        return context().installBundle(location, jar);
    }

    /** Bundles other than the system bundle. */
    public int installedBundleCount() {
        return context().getBundles().length - 1;
    }

    /** Stops the framework, waiting at most {@code timeout}. */
    public void stop(Duration timeout) {
        try {
            felix.stop();
            FrameworkEvent event = felix.waitForStop(timeout.toMillis());
            if (event.getType() == FrameworkEvent.WAIT_TIMEDOUT) {
                LOG.warn("Felix did not stop within {} ms", timeout.toMillis());
            }
        } catch (BundleException e) {
            LOG.warn("Felix stop failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(10));
    }

    /** Routes Felix's own log to SLF4J instead of stdout. */
    static final class FelixLogBridge extends org.apache.felix.framework.Logger {
        private static final Logger FELIX = LoggerFactory.getLogger("org.apache.felix.framework");

        @Override
        protected void doLog(int level, String msg, Throwable throwable) {
            switch (level) {
                case LOG_ERROR -> FELIX.error(msg, throwable);
                case LOG_WARNING -> FELIX.warn(msg, throwable);
                case LOG_INFO -> FELIX.info(msg, throwable);
                default -> FELIX.debug(msg, throwable);
            }
        }
    }
}
