package io.cages.testcages.store;

import io.cages.api.CageContext;
import io.cages.api.CageException;
import io.cages.api.CageHandler;
import io.cages.api.Request;
import io.cages.api.Response;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test cage on host resources, built into a bundle by the tests: it sees only io.cages.api and java.sql.
 * {@code query?db=&sql=} answers the first column of the first row; {@code order?id=&item=&fail=} inserts a
 * row and sends a message in one transaction; {@code send?queue=&to=&text=} sends outside a transaction.
 */
public final class StoreCage implements CageHandler {

    private volatile CageContext context;

    @Override
    public void start(CageContext context) {
        this.context = context;
    }

    @Override
    public Response handle(Request request) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("version", context.version());
        switch (request.operation()) {
            case "query" -> out.put("value", context.database(request.param("db")).use(c -> {
                try (PreparedStatement s = c.prepareStatement(request.param("sql")); ResultSet rs = s.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }));
            case "order" -> {
                String id = request.param("id");
                List<Object> results = context.transaction()
                        .sql(request.param("db"), c -> {
                            try (PreparedStatement s = c.prepareStatement("INSERT INTO orders (id, item) VALUES (?, ?)")) {
                                s.setString(1, id);
                                s.setString(2, request.param("item"));
                                return s.executeUpdate();
                            }
                        })
                        .send(request.param("queue"), request.param("to"), "order " + id)
                        .sql(request.param("db"), c -> {
                            if ("true".equals(request.param("fail"))) {
                                throw new java.sql.SQLException("refused on purpose for order " + id, "23000");
                            }
                            return 0;
                        })
                        .commit();
                out.put("results", results);
            }
            case "send" -> out.put("messageId", context.queue(request.param("queue")).send(request.param("to"), request.param("text")));
            default -> throw CageException.notFound("no operation " + request.operation());
        }
        return Response.of(out);
    }
}
