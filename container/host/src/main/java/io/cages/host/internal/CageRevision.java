package io.cages.host.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cages.api.CageHandler;
import io.cages.api.Response;
import io.cages.host.spi.Drain;
import io.cages.host.spi.Reply;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One installed version of a cage: its bundle, handler instance, context and in-flight count.
 *
 * <p>Requests are counted in and out by a {@link Drain}: once the version is retired it takes no new request
 * (the dispatcher retries on the new active version), and it is stopped and uninstalled when the last one
 * finished or the drain limit passed.
 */
final class CageRevision {

    private static final Logger LOG = LoggerFactory.getLogger(CageRevision.class);

    /** A non-blocking operation that holds its thread longer than this is reported (10 ms). */
    static final long SLOW_NON_BLOCKING_NANOS = 10_000_000L;
    private static final long SLOW_WARNING_INTERVAL_NANOS = 10_000_000_000L;

    /** FAILED: the version gave up serving on its own (a process cage whose workers crash too often). */
    public enum State { STARTING, ACTIVE, DRAINING, RETIRED, FAILED }

    private final CageManifest manifest;
    private final Bundle bundle;
    private final CageHandler handler;
    private final HostCageContext context;
    private final Drain drain;
    private volatile State state = State.STARTING;
    /** Why the version gave up serving, or null; only foreign cages (process cages) report it. */
    private volatile String failure;
    /** True once start and self-test passed: the version served, so it drains before it goes. */
    private volatile boolean started;
    /**
     * True once the handler's start() returned: from then on it may hold what stop() releases, so stop() runs
     * when the version goes, even when its self-test failed and it never served.
     */
    private volatile boolean startReturned;
    /** When the next slow-operation warning may be logged (System.nanoTime). */
    private final AtomicLong nextSlowWarning = new AtomicLong(System.nanoTime());

    CageRevision(CageManifest manifest, Bundle bundle, CageHandler handler, HostCageContext context) {
        this.manifest = manifest;
        this.bundle = bundle;
        this.handler = handler;
        this.context = context;
        this.drain = new Drain("cage " + manifest.name() + " " + manifest.version(), this::close);
    }

    public String cage() {
        return manifest.name();
    }

    public String version() {
        return manifest.version();
    }

    /** The cage bundle, or null for a cage run by a {@link io.cages.host.spi.CageRuntime} (a process cage). */
    public Bundle bundle() {
        return bundle;
    }

    /** The bundle id, or -1 when the version has no bundle. */
    long bundleId() {
        return bundle == null ? -1 : bundle.getBundleId();
    }

    /** Records why the version gave up serving; true the first time. */
    boolean markFailed(String reason) {
        synchronized (this) {
            if (failure != null) {
                return false;
            }
            failure = reason;
            return true;
        }
    }

    CageHandler handler() {
        return handler;
    }

    /** Why the version gave up serving, or null while it serves. */
    String failure() {
        return failure;
    }

    VersionFence fence() {
        return context.fence();
    }

    /** Takes the cage's state epoch for this version (see {@link StateHandover}). */
    long activateState() throws io.cages.api.CageException {
        return context.activateState();
    }

    /** Owned by this version (through its context) so Jackson's caches of cage classes die with it. */
    ObjectMapper mapper() {
        return context.mapper();
    }

    /** Operations the cage declares safe to repeat. */
    public java.util.List<String> idempotent() {
        return manifest.idempotent();
    }

    /** True when the cage declares {@code operation} non-blocking: it may run on the thread that received it. */
    boolean isNonBlocking(String operation) {
        return manifest.nonBlocking().contains(operation);
    }

    /**
     * Reports a non-blocking operation that held its thread longer than {@link #SLOW_NON_BLOCKING_NANOS}: on an
     * I/O thread that time delays every other connection of that thread. At most one warning per
     * {@link #SLOW_WARNING_INTERVAL_NANOS} per version, so a slow operation under load cannot flood the log.
     */
    void tookLong(String operation, long nanos) {
        long now = System.nanoTime();
        long next = nextSlowWarning.get();
        if (now - next >= 0 && nextSlowWarning.compareAndSet(next, now + SLOW_WARNING_INTERVAL_NANOS)) {
            LOG.warn("cage {} {}: operation '{}' is declared {} but held its thread for {} ms; an I/O thread serves"
                            + " other connections meanwhile: remove it from the header if it can block or take long",
                    cage(), version(), operation, CageManifest.CAGE_NON_BLOCKING, nanos / 1_000_000);
        }
    }

    ClassLoader classLoader() {
        return handler.getClass().getClassLoader();
    }

    public State state() {
        State current = state;
        return failure != null && current == State.ACTIVE ? State.FAILED : current;
    }

    public int inFlight() {
        return drain.inFlight();
    }

    /**
     * Runs the handler's start and self-test on a virtual thread, bounded by {@code timeout}.
     *
     * @throws DeployException with the phase and the handler's message
     */
    void startAndSelfTest(Duration timeout) throws DeployException {
        String[] phase = {"start"};
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread thread = Thread.ofVirtual().name("cage-start-" + cage()).start(() -> {
            Thread.currentThread().setContextClassLoader(classLoader());
            try {
                handler.start(context);
                startReturned = true;
                phase[0] = "self-test";
                handler.selfTest();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        try {
            done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            started = true;
            state = State.ACTIVE;
        } catch (TimeoutException e) {
            thread.interrupt();
            throw new DeployException(phase[0] + " did not finish within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new DeployException(phase[0] + " failed: " + describe(cause), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeployException("interrupted during " + phase[0]);
        }
    }

    /** Enters a request; false when this version is draining (the caller then picks the new active one). */
    boolean tryEnter() {
        return drain.tryEnter();
    }

    void exit() {
        drain.leave();
    }

    /** Converts a handler's response with this version's mapper, so transports only see trees and bytes. */
    Reply toReply(Response response) {
        if (response.value() != null) {
            return Reply.ofValue(response.value(), mapper(), response.attributes(), version());
        }
        return new Reply(null, response.body(), response.contentType(), response.attributes(), version());
    }

    /**
     * Stops taking requests and, once in-flight ones finished (at most {@code drainTimeout} later), stops the
     * handler and uninstalls the bundle. Nothing else is refreshed: no bundle is wired to a cage bundle.
     * Returns at once; the future completes when the bundle is gone.
     */
    CompletableFuture<Void> retire(Duration drainTimeout) {
        if (started) {
            state = State.DRAINING;
        }
        return drain.retire(drainTimeout);
    }

    /** Removes a version that never served (a failed deploy): uninstalls its bundle before returning. */
    void discard() {
        retire(Duration.ZERO).join();
    }

    /** The drain's close action: runs once, when the drain ended. */
    private void close() {
        if (startReturned) {
            ClassLoader previous = Thread.currentThread().getContextClassLoader();
            Thread.currentThread().setContextClassLoader(classLoader());
            try {
                handler.stop();
            } catch (Exception e) {
                LOG.warn("cage {} {}: stop() failed", cage(), version(), e);
            } finally {
                Thread.currentThread().setContextClassLoader(previous);
            }
        }
        context.close();
        state = State.RETIRED;
        uninstall(bundle);
    }

    static void uninstall(Bundle bundle) {
        if (bundle == null) {
            return;
        }
        try {
            if (bundle.getState() != Bundle.UNINSTALLED) {
                bundle.uninstall();
            }
        } catch (BundleException | IllegalStateException e) {
            LOG.warn("uninstalling bundle {} failed", bundle.getBundleId(), e);
        }
    }

    static String describe(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getName() : message + " (" + t.getClass().getSimpleName() + ")";
    }

    @Override
    public String toString() {
        return "cage " + cage() + " " + version() + " (" + (bundle == null ? manifest.handlerClass() : "bundle " + bundle.getBundleId()) + ", " + state() + ")";
    }
}
