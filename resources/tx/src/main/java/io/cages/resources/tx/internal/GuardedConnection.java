package io.cages.resources.tx.internal;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The connection handed to a participant's work: the coordinator owns commit, rollback and close, so those
 * are refused (close is ignored); statements are remembered so an abort can cancel the ones still running.
 */
final class GuardedConnection implements InvocationHandler {

    private final Connection target;
    private final List<Statement> statements = new CopyOnWriteArrayList<>();
    private final Connection proxy;

    GuardedConnection(Connection target) {
        this.target = target;
        this.proxy = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[]{Connection.class}, this);
    }

    Connection proxy() {
        return proxy;
    }

    void cancelStatements() {
        for (Statement s : statements) {
            try {
                if (!s.isClosed()) {
                    s.cancel();
                }
            } catch (SQLException | RuntimeException ignored) {
                // best effort; the statement timeout (deadline) ends it anyway
            }
        }
    }

    @Override
    public Object invoke(Object p, Method m, Object[] args) throws Throwable {
        String name = m.getName();
        switch (name) {
            case "close":
                return null;
            case "commit", "setAutoCommit", "abort", "setTransactionIsolation":
                throw new SQLException("transaction participant: " + name + " is done by the transaction, not by the work");
            case "rollback":
                if (args == null || args.length == 0) {
                    throw new SQLException("transaction participant: rollback is done by the transaction (roll back to a savepoint instead)");
                }
                break;
            case "equals":
                return p == args[0];
            case "hashCode":
                return System.identityHashCode(p);
            case "toString":
                return "TransactionConnection[" + target + "]";
            default:
                break;
        }
        Object r;
        try {
            r = m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
        if (r instanceof Statement s && (name.equals("createStatement") || name.equals("prepareStatement") || name.equals("prepareCall"))) {
            statements.add(s);
        }
        return r;
    }
}
