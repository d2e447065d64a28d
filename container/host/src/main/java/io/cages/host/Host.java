package io.cages.host;

import io.cages.host.internal.HostRuntime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.cages.host.spi.Transport;
import io.cages.host.spi.TransportContext;
import io.cages.host.spi.ResourceProvider;
import io.cages.host.spi.Dispatcher;
import io.cages.host.spi.RemoteCalls;
import io.cages.host.admin.Admin;

/**
 * A running cage host: embedded Felix, the cages of its deploy folder and its transports.
 *
 * <pre>{@code
 * try (Host host = Host.start(HostConfig.load(Path.of("configs/host.json")))) {
 *     host.awaitShutdown();
 * }
 * }</pre>
 *
 * <p>{@link #close()} is a clean shutdown: transports stop accepting, in-flight requests finish (bounded by
 * {@code shutdownTimeoutMs}), cages stop, Felix stops, transports close.
 */
public final class Host implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Host.class);

    private final HostConfig config;
    private final HostRuntime runtime;
    private final List<Transport> transports;
    private final Object closeLock = new Object();
    private boolean closed;

    private Host(HostConfig config, HostRuntime runtime, List<Transport> transports) {
        this.config = config;
        this.runtime = runtime;
        this.transports = transports;
    }

    /** Starts a host with the transports found on the class path. */
    public static Host start(HostConfig config) throws Exception {
        List<Transport> transports = new ArrayList<>();
        ServiceLoader.load(Transport.class).forEach(transports::add);
        return start(config, transports);
    }

    /** Starts a host with the given transports and the resource provider found on the class path, if any. */
    public static Host start(HostConfig config, List<Transport> transports) throws Exception {
        return start(config, transports, findResourceProvider());
    }

    /** Starts a host with the given transports and resource provider (null: none). */
    public static Host start(HostConfig config, List<Transport> transports, ResourceProvider resources) throws Exception {
        long started = System.nanoTime();
        HostRuntime runtime = HostRuntime.start(config, resources);
        Host host = new Host(config, runtime, List.copyOf(transports));
        TransportContext context = new TransportContext() {
            @Override
            public Dispatcher dispatcher() {
                return runtime.dispatcher();
            }

            @Override
            public Admin admin() {
                return runtime.admin();
            }

            @Override
            public HostConfig config() {
                return config;
            }

            @Override
            public void offerRemoteCalls(RemoteCalls remoteCalls) {
                runtime.offerRemoteCalls(remoteCalls);
            }

            @Override
            public void offerJobs(io.cages.host.spi.JobsAdmin jobs) {
                runtime.offerJobs(jobs);
            }

            @Override
            public void addConfigProblems(java.util.function.Supplier<List<io.cages.host.admin.ConfigProblem>> source) {
                runtime.addConfigProblems(source);
            }

            @Override
            public io.cages.host.spi.HostHealth localHealth() {
                return runtime.localHealth();
            }

            @Override
            public void offerFlockProbe(io.cages.host.spi.FlockProbe probe) {
                runtime.offerFlockProbe(probe);
            }

            @Override
            public void offerAdminAddress(java.net.InetSocketAddress bound) {
                runtime.offerAdminAddress(bound);
            }
        };
        try {
            for (Transport transport : transports) {
                transport.start(context);
            }
        } catch (Exception e) {
            host.close();
            throw e;
        }
        runtime.startMetrics();
        runtime.startHealth();
        LOG.info("host {} started in {} ms with {} cages and transports {}", config.name(),
                (System.nanoTime() - started) / 1_000_000, runtime.admin().cages().size(),
                transports.stream().map(Transport::name).toList());
        return host;
    }

    public HostConfig config() {
        return config;
    }

    public Dispatcher dispatcher() {
        return runtime.dispatcher();
    }

    public Admin admin() {
        return runtime.admin();
    }

    public Path deployDir() {
        return runtime.deployDir();
    }

    /** The started transport of the given type, if any. */
    public <T extends Transport> Optional<T> transport(Class<T> type) {
        return transports.stream().filter(type::isInstance).map(type::cast).findFirst();
    }

    /** Bundles installed in the framework besides the system bundle: cage versions, draining ones included. */
    public int installedBundles() {
        return runtime.installedBundles();
    }

    /** Handler invocations since start (requests refused or expired before running are not counted). */
    public long executedRequests() {
        return runtime.executedRequests();
    }

    /**
     * Reads the cage config folder now instead of at the next poll. When this returns, every changed file is in
     * force (or rejected, see {@link Admin#configProblems()}) and the cages' config listeners have run: the testing
     * kit writes a config and calls this instead of waiting for a poll.
     */
    public void scanCageConfigs() {
        runtime.scanCageConfigs();
    }

    /** Waits until old versions replaced by swaps have drained and been uninstalled. */
    public boolean awaitRetirements(Duration timeout) {
        return runtime.awaitRetirements(timeout);
    }

    @Override
    public void close() {
        synchronized (closeLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        long started = System.nanoTime();
        transports.forEach(Host::stopAccepting);
        runtime.drain(config.shutdownTimeout());
        runtime.stop(config.shutdownTimeout());
        transports.forEach(Host::closeQuietly);
        runtime.closeResources();
        LOG.info("host {} stopped in {} ms", config.name(), (System.nanoTime() - started) / 1_000_000);
    }

    private static ResourceProvider findResourceProvider() {
        List<ResourceProvider> found = new ArrayList<>();
        ServiceLoader.load(ResourceProvider.class).forEach(found::add);
        if (found.size() > 1) {
            throw new IllegalStateException("more than one resource provider on the class path: "
                    + found.stream().map(p -> p.getClass().getName()).toList());
        }
        return found.isEmpty() ? null : found.get(0);
    }

    private static void stopAccepting(Transport transport) {
        try {
            transport.stopAccepting();
        } catch (RuntimeException e) {
            LOG.warn("transport {} failed to stop accepting", transport.name(), e);
        }
    }

    private static void closeQuietly(Transport transport) {
        try {
            transport.close();
        } catch (RuntimeException e) {
            LOG.warn("transport {} failed to close", transport.name(), e);
        }
    }
}
