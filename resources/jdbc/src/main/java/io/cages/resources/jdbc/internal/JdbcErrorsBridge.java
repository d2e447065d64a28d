package io.cages.resources.jdbc.internal;

import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.resources.jdbc.JdbcErrors;
import java.sql.SQLException;

/** Internal code reaches the public translation through here, to keep one import site. */
final class JdbcErrorsBridge {
    private JdbcErrorsBridge() {
    }

    static CageException translate(String resource, Deadline deadline, SQLException e) {
        return JdbcErrors.translate(resource, deadline, e);
    }
}
