package io.cages.resources.provider;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The inbox connection of a durable call as its handler sees it: SQL runs in the call's transaction, which the
 * host commits together with the call's key, so the handler may not end it ({@code commit}, {@code rollback},
 * autocommit on, {@code abort}) and {@code close} only ends its use.
 */
final class JoinedConnection {

    private JoinedConnection() {
    }

    static Connection of(Connection connection, String database) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    String name = method.getName();
                    int arity = args == null ? 0 : args.length;
                    switch (name) {
                        case "close" -> {
                            return null;
                        }
                        case "isClosed" -> {
                            return connection.isClosed();
                        }
                        case "setAutoCommit" -> {
                            if (Boolean.FALSE.equals(args[0])) {
                                return null;
                            }
                            throw refused(database, "setAutoCommit(true)");
                        }
                        case "commit", "abort", "setTransactionIsolation" -> throw refused(database, name);
                        case "rollback" -> {
                            if (arity == 0) {
                                throw refused(database, "rollback()");
                            }
                        }
                        case "equals" -> {
                            return proxy == args[0];
                        }
                        case "hashCode" -> {
                            return System.identityHashCode(proxy);
                        }
                        case "toString" -> {
                            return "durable call connection of '" + database + "'";
                        }
                        default -> {
                        }
                    }
                    try {
                        return method.invoke(connection, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static SQLException refused(String database, String what) {
        return new SQLException("this connection of '" + database + "' is in a durable call's transaction, which the host commits"
                + " with the call's key; " + what + " is not allowed here (throw to roll the call back)");
    }
}
