package io.cages.resources.jdbc.internal;

import java.io.InputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What we use of pgjdbc beyond JDBC: a look at the socket of an idle connection. The driver is not a compile
 * dependency of this module (the host puts it on the class path, and a bundle must not require it), so its
 * internals are looked up by name, once per driver class, and the check is skipped (with one warning) if the
 * driver in use is laid out differently.
 */
final class PgJdbc {

    private static final Logger LOG = LoggerFactory.getLogger(PgJdbc.class);
    /** Set once the probe failed in a way that would repeat on every borrow; it is then skipped. */
    private static final AtomicBoolean PROBE_OFF = new AtomicBoolean();

    /** Per pgjdbc connection class: how to reach the buffered input stream of its socket, or null. */
    private static final ClassValue<MethodHandle> INPUT = new ClassValue<>() {
        @Override
        protected MethodHandle computeValue(Class<?> type) {
            try {
                return inputOf(type);
            } catch (ReflectiveOperationException | RuntimeException e) {
                if (PROBE_OFF.compareAndSet(false, true)) {
                    LOG.warn("cannot reach the socket input of {} ({}): connections the server closed while they "
                            + "were idle are not detected before they are lent", type.getName(), e.toString());
                }
                return null;
            }
        }
    };

    private PgJdbc() {
    }

    /**
     * True if the server sent something on this idle connection that nobody has read: bytes in pgjdbc's input
     * buffer or in the socket's receive buffer (one FIONREAD, no round trip). A connection that sits idle in
     * the pool in autocommit mode receives nothing, unless the server closed it: on shutdown, restart,
     * {@code pg_terminate_backend} or an idle timeout the backend sends a FATAL (or, on immediate shutdown, a
     * warning) before it closes the socket. The one harmless case is a NOTIFY for a session that LISTENs, so
     * the caller confirms with a real check. Also true if the socket cannot be asked (already closed).
     *
     * <p>Not detected, so left to the first statement and to HikariCP's own check of connections idle for
     * more than 500 ms: a connection that died without a word (the server process killed, a proxy or a
     * firewall dropping it) less than 500 ms after its last use; and anything on SSL connections, whose
     * encrypted bytes the socket cannot count before they are decrypted.
     */
    static boolean hasUnreadInput(Connection connection) throws SQLException {
        if (PROBE_OFF.get()) {
            return false;
        }
        Connection pg = connection.unwrap(Connection.class); // the driver's connection behind HikariCP's proxy
        MethodHandle input = INPUT.get(pg.getClass());
        if (input == null) {
            return false;
        }
        InputStream in;
        try {
            in = (InputStream) input.invokeExact(pg);
        } catch (Throwable e) {
            // Not the layout we looked up (another executor class): say so once and go without the check.
            if (PROBE_OFF.compareAndSet(false, true)) {
                LOG.warn("cannot reach the socket input of {} ({}): connections the server closed while they were "
                        + "idle are not detected before they are lent", pg.getClass().getName(), e.toString());
            }
            return false;
        }
        try {
            return in.available() > 0;
        } catch (java.io.IOException e) {
            return true; // the socket is closed or reset: let the caller's check decide
        }
    }

    /**
     * {@code pgConnection.getQueryExecutor().pgStream.pgInput}, typed {@code (Connection) InputStream}: a
     * public method, a protected field of {@code QueryExecutorBase} and a private field of {@code PGStream}.
     * The input is pgjdbc's {@code VisibleBufferedInputStream}, whose {@code available()} is its buffered
     * bytes, else the socket's.
     */
    private static MethodHandle inputOf(Class<?> pgConnection) throws ReflectiveOperationException {
        ClassLoader loader = pgConnection.getClassLoader();
        Method getQueryExecutor = pgConnection.getMethod("getQueryExecutor");
        Field pgStream = Class.forName("org.postgresql.core.QueryExecutorBase", false, loader)
                .getDeclaredField("pgStream");
        Field pgInput = Class.forName("org.postgresql.core.PGStream", false, loader).getDeclaredField("pgInput");
        pgStream.setAccessible(true);
        pgInput.setAccessible(true);
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        MethodHandle executor = lookup.unreflect(getQueryExecutor)
                .asType(MethodType.methodType(pgStream.getDeclaringClass(), pgConnection));
        MethodHandle stream = MethodHandles.filterReturnValue(executor, lookup.unreflectGetter(pgStream));
        MethodHandle input = MethodHandles.filterReturnValue(stream, lookup.unreflectGetter(pgInput));
        return input.asType(MethodType.methodType(InputStream.class, Connection.class));
    }
}
