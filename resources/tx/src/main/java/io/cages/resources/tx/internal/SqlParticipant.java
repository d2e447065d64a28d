package io.cages.resources.tx.internal;

import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.resources.jdbc.JdbcErrors;
import io.cages.resources.jdbc.JdbcResource;
import io.cages.api.SqlWork;
import io.cages.resources.tx.Participant;
import java.sql.Connection;
import java.sql.SQLException;

/** SQL work on a connection of its own with autoCommit off; one-phase commit. */
public final class SqlParticipant implements Participant {

    private final int index;
    private final JdbcResource db;
    private final SqlWork<?> work;
    private volatile Connection connection;
    private volatile GuardedConnection guarded;
    private volatile Deadline deadline;

    public SqlParticipant(int index, JdbcResource db, SqlWork<?> work) {
        this.index = index;
        this.db = db;
        this.work = work;
    }

    @Override
    public String describe() {
        return "participant " + index + " (sql \"" + db.name() + "\")";
    }

    @Override
    public Object execute(Deadline deadline) throws Exception {
        this.deadline = deadline;
        Connection c = db.connection(deadline);
        connection = c;
        try {
            c.setAutoCommit(false);
            GuardedConnection g = new GuardedConnection(c);
            guarded = g;
            return work.apply(g.proxy());
        } catch (SQLException e) {
            throw fail(e);
        }
    }

    private CageException fail(SQLException e) {
        CageException c = JdbcErrors.translate(db.name(), deadline, e);
        return new CageException(c.code(), c.getMessage() + ": " + e.getMessage(), e);
    }

    @Override
    public void cancel() {
        GuardedConnection g = guarded;
        if (g != null) {
            g.cancelStatements();
        }
    }

    @Override
    public void commit() throws Exception {
        Connection c = connection;
        connection = null;
        if (c == null) {
            throw new IllegalStateException(describe() + ": nothing to commit");
        }
        try {
            c.commit();
        } catch (SQLException e) {
            quietly(c::rollback);
            throw fail(e);
        } finally {
            quietly(c::close);
        }
    }

    @Override
    public void rollback() {
        Connection c = connection;
        connection = null;
        if (c != null) {
            quietly(c::rollback);
            quietly(c::close); // the pool also rolls back a dirty connection and evicts a broken one
        }
    }

    private interface SqlAction {
        void run() throws SQLException;
    }

    private static void quietly(SqlAction a) {
        try {
            a.run();
        } catch (SQLException | RuntimeException ignored) {
            // rollback/close of a broken connection: the pool evicts it
        }
    }
}
