package io.cages.examples.inventory;

import io.cages.api.CageContext;
import io.cages.api.CageException;
import io.cages.api.CageHandler;
import io.cages.api.DurableCall;
import io.cages.api.Request;
import io.cages.api.Response;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stock levels in the host's {@code inventory} database (H2 in the demo, any JDBC database in production).
 *
 * <ul>
 *   <li>{@code stock?sku=} answers the quantity and unit price;</li>
 *   <li>{@code reserve?order=&sku=&quantity=&customer=} takes the quantity off the stock and stores a durable
 *       call of billing's {@code settle} in one transaction of the inventory database: the reservation and the
 *       charge commit together or not at all, and the host delivers the charge until billing settles it (once,
 *       keyed {@code charge-<order>}). Repeating it for the same order answers the first reservation and
 *       changes nothing;</li>
 *   <li>{@code release?order=} puts a reservation back (what a caller does when a later step fails);</li>
 *   <li>{@code reservations} counts reservations and the quantity they hold, by sku.</li>
 * </ul>
 */
public final class InventoryCage implements CageHandler {

    static final String DATABASE = "inventory";

    private volatile CageContext context;

    @Override
    public void start(CageContext context) throws Exception {
        this.context = context;
        // Runs again on every swap: the schema and seed are idempotent, so a new version adopts the data.
        context.database(DATABASE).use(Schema::create);
    }

    @Override
    public Response handle(Request request) throws Exception {
        return switch (request.operation()) {
            case "stock" -> Response.of(stock(required(request, "sku")));
            case "reserve" -> Response.of(reserve(id(request, "order"), required(request, "sku"),
                    positive(request, "quantity"), id(request, "customer")));
            case "release" -> Response.of(release(id(request, "order")));
            case "reservations" -> Response.of(context.database(DATABASE).use(Schema::reservations));
            default -> throw CageException.notFound("cage 'inventory' has no operation '" + request.operation()
                    + "' (it has stock, reserve, release, reservations)");
        };
    }

    private Map<String, Object> stock(String sku) throws CageException {
        Map<String, Object> item = context.database(DATABASE).use(c -> Schema.item(c, sku));
        if (item == null) {
            throw CageException.notFound("no sku '" + sku + "' in stock");
        }
        return item;
    }

    private Map<String, Object> reserve(String order, String sku, int quantity, String customer) throws CageException {
        Map<String, Object> earlier = context.database(DATABASE).use(c -> Schema.reservation(c, order));
        if (earlier != null) {
            return earlier;
        }
        Map<String, Object> item = stock(sku);
        if ((Integer) item.get("quantity") < quantity) {
            throw CageException.badRequest("not enough '" + sku + "' in stock: " + item.get("quantity") + " left, " + quantity + " asked");
        }
        long amountCents = (long) quantity * ((Number) item.get("unitPriceCents")).longValue();
        // The charge is an outbox row in this transaction's database: no crash can leave the reservation
        // without its charge (the queued message of earlier versions could be lost between the two commits).
        List<Object> results = context.transaction()
                .sql(DATABASE, c -> Schema.take(c, order, sku, quantity, amountCents))
                .callDurably("billing", "settle", Map.of("order", order, "customer", customer, "amountCents", amountCents),
                        "charge-" + order)
                .commit();
        @SuppressWarnings("unchecked")
        Map<String, Object> reservation = (Map<String, Object>) results.get(0);
        reservation.put("charge", ((DurableCall) results.get(1)).id());
        return reservation;
    }

    private Map<String, Object> release(String order) throws CageException {
        boolean released = context.database(DATABASE).use(c -> Schema.putBack(c, order));
        return Map.of("order", order, "released", released);
    }

    private static String required(Request request, String name) throws CageException {
        String value = request.param(name);
        if (value == null || value.isBlank()) {
            throw CageException.badRequest("missing parameter '" + name + "'");
        }
        return value;
    }

    private static String id(Request request, String name) throws CageException {
        String value = required(request, name);
        if (!value.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw CageException.badRequest("parameter '" + name + "' must be 1-64 letters, digits, '_', '.' or '-', was '" + value + "'");
        }
        return value;
    }

    private static int positive(Request request, String name) throws CageException {
        String value = required(request, name);
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw CageException.badRequest("parameter '" + name + "' must be a positive whole number, was '" + value + "'");
    }

    /** The SQL, portable across H2 and PostgreSQL. */
    static final class Schema {

        private Schema() {
        }

        static Void create(Connection c) throws SQLException {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS stock (sku VARCHAR(32) PRIMARY KEY, quantity INT NOT NULL, "
                        + "unit_price_cents BIGINT NOT NULL)");
                s.execute("CREATE TABLE IF NOT EXISTS reservations (order_id VARCHAR(64) PRIMARY KEY, sku VARCHAR(32) NOT NULL, "
                        + "quantity INT NOT NULL, amount_cents BIGINT NOT NULL)");
                try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM stock")) {
                    rs.next();
                    if (rs.getInt(1) == 0) {
                        s.execute("INSERT INTO stock VALUES ('bolt', 500, 25), ('nut', 800, 10), ('gear', 40, 1250)");
                    }
                }
            }
            return null;
        }

        static Map<String, Object> item(Connection c, String sku) throws SQLException {
            try (PreparedStatement s = c.prepareStatement("SELECT quantity, unit_price_cents FROM stock WHERE sku = ?")) {
                s.setString(1, sku);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        return null;
                    }
                    Map<String, Object> item = new LinkedHashMap<>();
                    item.put("sku", sku);
                    item.put("quantity", rs.getInt(1));
                    item.put("unitPriceCents", rs.getLong(2));
                    return item;
                }
            }
        }

        static Map<String, Object> reservation(Connection c, String order) throws SQLException {
            try (PreparedStatement s = c.prepareStatement("SELECT sku, quantity, amount_cents FROM reservations WHERE order_id = ?")) {
                s.setString(1, order);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        return null;
                    }
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put("order", order);
                    r.put("sku", rs.getString(1));
                    r.put("quantity", rs.getInt(2));
                    r.put("amountCents", rs.getLong(3));
                    r.put("repeated", true);
                    return r;
                }
            }
        }

        /** Runs inside the transaction (autocommit off): the guarded update and the reservation commit together. */
        static Map<String, Object> take(Connection c, String order, String sku, int quantity, long amountCents) throws SQLException {
            try (PreparedStatement s = c.prepareStatement("UPDATE stock SET quantity = quantity - ? WHERE sku = ? AND quantity >= ?")) {
                s.setInt(1, quantity);
                s.setString(2, sku);
                s.setInt(3, quantity);
                if (s.executeUpdate() == 0) {
                    // Another order took the stock since the check above: roll back (the caller gets an error).
                    throw new SQLException("not enough '" + sku + "' in stock for " + quantity, "22003");
                }
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO reservations VALUES (?, ?, ?, ?)")) {
                s.setString(1, order);
                s.setString(2, sku);
                s.setInt(3, quantity);
                s.setLong(4, amountCents);
                s.executeUpdate();
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("order", order);
            r.put("sku", sku);
            r.put("quantity", quantity);
            r.put("amountCents", amountCents);
            return r;
        }

        static Map<String, Object> reservations(Connection c) throws SQLException {
            Map<String, Object> bySku = new LinkedHashMap<>();
            int count = 0;
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT sku, COUNT(*), SUM(quantity) FROM reservations GROUP BY sku ORDER BY sku")) {
                while (rs.next()) {
                    bySku.put(rs.getString(1), rs.getLong(3));
                    count += rs.getInt(2);
                }
            }
            return Map.of("count", count, "quantityBySku", bySku);
        }

        static boolean putBack(Connection c, String order) throws SQLException {
            c.setAutoCommit(false);
            try {
                Map<String, Object> r = reservation(c, order);
                if (r == null) {
                    c.rollback();
                    return false;
                }
                try (PreparedStatement s = c.prepareStatement("UPDATE stock SET quantity = quantity + ? WHERE sku = ?")) {
                    s.setInt(1, (Integer) r.get("quantity"));
                    s.setString(2, (String) r.get("sku"));
                    s.executeUpdate();
                }
                try (PreparedStatement s = c.prepareStatement("DELETE FROM reservations WHERE order_id = ?")) {
                    s.setString(1, order);
                    s.executeUpdate();
                }
                c.commit();
                return true;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }
}
