package io.cages.resources.jdbc;

import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.api.ErrorCode;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;

/** Turns driver exceptions into the request-level errors every transport understands. */
public final class JdbcErrors {

    /** PostgreSQL's query_canceled, raised when statement_timeout fires. */
    private static final String PG_QUERY_CANCELED = "57014";

    private JdbcErrors() {
    }

    public static CageException translate(String resource, Deadline deadline, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (e instanceof SQLTimeoutException || PG_QUERY_CANCELED.equals(state)
                || (deadline != null && deadline.isExpired() && state.startsWith("HY008"))) {
            return new CageException(ErrorCode.DEADLINE_EXCEEDED,
                    "jdbc resource \"" + resource + "\": statement cancelled at the request deadline", e);
        }
        // 08xxx: connection exceptions; 57Pxx: the server is shutting down or restarting.
        if (e instanceof SQLTransientConnectionException || state.startsWith("08") || state.startsWith("57P")) {
            return new CageException(ErrorCode.UNAVAILABLE,
                    "jdbc resource \"" + resource + "\": connection to the database failed (" + e.getMessage() + ")", e);
        }
        return new CageException(ErrorCode.INTERNAL,
                "jdbc resource \"" + resource + "\": statement failed (SQLState " + state + ")", e);
    }
}
