package io.cages.host.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cages.api.CageHandler;
import io.cages.api.Response;
import io.cages.host.spi.Reply;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One installed version of a cage: its bundle, handler instance, context and in-flight count.
 *
 * <p>Draining uses a Dekker-style handshake without locks: a request increments {@code inFlight} and then
 * checks {@code draining}; a retiring swap sets {@code draining} and then checks {@code inFlight}. Both are
 * volatile, so at least one side sees the other: either the request backs off (and the dispatcher retries on
 * the new active version) or the drain waits for it.
 */
public final class CageRevision {

    private static final Logger LOG = LoggerFactory.getLogger(CageRevision.class);

    public enum State { STARTING, ACTIVE, DRAINING, RETIRED }

    private final CageManifest manifest;
    private final Bundle bundle;
    private final CageHandler handler;
    private final HostCageContext context;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private volatile boolean draining;
    private volatile State state = State.STARTING;

    CageRevision(CageManifest manifest, Bundle bundle, CageHandler handler, HostCageContext context) {
        this.manifest = manifest;
        this.bundle = bundle;
        this.handler = handler;
        this.context = context;
    }

    public String cage() {
        return manifest.name();
    }

    public String version() {
        return manifest.version();
    }

    public Bundle bundle() {
        return bundle;
    }

    CageHandler handler() {
        return handler;
    }

    /** Owned by this version (through its context) so Jackson's caches of cage classes die with it. */
    ObjectMapper mapper() {
        return context.mapper();
    }

    /** Operations the cage declares safe to repeat. */
    public java.util.List<String> idempotent() {
        return manifest.idempotent();
    }

    ClassLoader classLoader() {
        return handler.getClass().getClassLoader();
    }

    public State state() {
        return state;
    }

    public int inFlight() {
        return Math.max(0, inFlight.get());
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
                phase[0] = "self-test";
                handler.selfTest();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        try {
            done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
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
        inFlight.incrementAndGet();
        if (draining) {
            exit();
            return false;
        }
        return true;
    }

    void exit() {
        if (inFlight.decrementAndGet() == 0 && draining) {
            drained.complete(null);
        }
    }

    /** Converts a handler's response with this version's mapper, so transports only see trees and bytes. */
    Reply toReply(Response response) {
        if (response.value() != null) {
            return Reply.ofValue(response.value(), mapper(), response.attributes(), version());
        }
        return new Reply(null, response.body(), response.contentType(), response.attributes(), version());
    }

    /**
     * Stops taking requests, waits for in-flight ones (at most {@code drainTimeout}), then stops the handler
     * and uninstalls the bundle. Nothing else is refreshed: no bundle is wired to a cage bundle.
     */
    void retire(Duration drainTimeout) {
        state = State.DRAINING;
        draining = true;
        if (inFlight.get() == 0) {
            drained.complete(null);
        }
        try {
            drained.get(drainTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("cage {} {}: {} requests still running after the drain limit of {} ms; stopping it anyway",
                    cage(), version(), inFlight(), drainTimeout.toMillis());
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        discard();
    }

    /** Stops the handler (if started) and uninstalls the bundle; used by retire and by failed deploys. */
    void discard() {
        if (state != State.STARTING) {
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
        return "cage " + cage() + " " + version() + " (bundle " + bundle.getBundleId() + ", " + state + ")";
    }
}
