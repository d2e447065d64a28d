package io.cages.resources.provider;

import java.sql.DriverManager;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Registers the JDBC drivers on the host's class path with {@link DriverManager} while the host starts.
 *
 * <p>DriverManager finds drivers once, at its first use, with a ServiceLoader on the calling thread's context
 * class loader. The host opens some databases lazily (its own H2 database for durable calls, the state database)
 * and that first use can come from a cage's request thread, whose context class loader is the cage bundle's: it
 * sees no driver, none is registered, and from then on every connection of that JVM fails with "No suitable
 * driver". A host without JDBC resources did exactly that at its first {@code callDurably}
 * ({@code NetnsDurableCallsFaultTest} with {@code -Dcages.fault.outbox=h2}). Loading them here, with this
 * module's class loader, makes the first use the host's own.
 *
 * <p>The loading runs on a thread of its own: it is 20-40 ms of class loading in a cold JVM, which on the start
 * path of a host that may never open a database was a visible part of its start-up. The host's own lazy opens
 * wait for it ({@link #awaitRegistered()}); a pool the resources file configures is made on the start thread,
 * whose context class loader sees the drivers, and DriverManager's own lock makes it wait for a loading under
 * way.
 */
final class JdbcDrivers {

    private static final AtomicBoolean STARTED = new AtomicBoolean();
    private static final CompletableFuture<Void> REGISTERED = new CompletableFuture<>();
    private static final long WAIT_SECONDS = 30;

    private JdbcDrivers() {
    }

    /** Starts loading the drivers, once per JVM; returns at once. */
    static void register() {
        if (!STARTED.compareAndSet(false, true)) {
            return;
        }
        Thread loader = new Thread(JdbcDrivers::load, "cages-jdbc-drivers");
        loader.setDaemon(true);
        loader.setContextClassLoader(JdbcDrivers.class.getClassLoader());
        loader.start();
    }

    /** Returns once the drivers are registered (starting the loading if nobody did). */
    static void awaitRegistered() {
        if (REGISTERED.isDone()) {
            return;
        }
        register();
        try {
            REGISTERED.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the host's JDBC drivers were being registered", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the host's JDBC drivers could not be registered: " + e.getMessage(), e);
        }
    }

    private static void load() {
        try {
            DriverManager.getDrivers(); // its first call loads every java.sql.Driver service the context loader sees
            REGISTERED.complete(null);
        } catch (Throwable t) {
            REGISTERED.completeExceptionally(t);
        }
    }
}
