package io.cages.resources.provider;

import java.sql.DriverManager;

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
 */
final class JdbcDrivers {

    private JdbcDrivers() {
    }

    static void register() {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(JdbcDrivers.class.getClassLoader());
        try {
            DriverManager.getDrivers(); // its first call loads every java.sql.Driver service the loader sees
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
