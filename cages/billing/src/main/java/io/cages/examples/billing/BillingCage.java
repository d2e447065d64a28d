package io.cages.examples.billing;

import io.cages.api.CageContext;
import io.cages.api.CageException;
import io.cages.api.CageHandler;
import io.cages.api.Request;
import io.cages.api.Response;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Billing. Charges arrive as durable calls of {@code settle} (inventory stores one with every reservation,
 * and the host delivers it until settled, once per key: the dedupe row commits with the invoice, in the
 * {@code billing} database, see {@code durableCalls.inbox} in the resources file) or on the
 * {@code billing.charges} queue ({@code charge} queues one directly; the host's JMS transport turns each
 * message into a {@code settle} request, acknowledged only once settled). Invoices are keyed by order, so a
 * redelivered message never bills twice either.
 *
 * <ul>
 *   <li>{@code charge?order=&customer=&amountCents=} queues a charge and answers its message id;</li>
 *   <li>{@code settle} (from the queue) records the invoice;</li>
 *   <li>{@code invoice?order=} answers one invoice, or {@code pending} while its charge is still queued;</li>
 *   <li>{@code invoices} counts them and lists the latest 50.</li>
 * </ul>
 */
public final class BillingCage implements CageHandler {

    static final String DATABASE = "billing";
    static final String QUEUE = "events";
    static final String CHARGES = "billing.charges";

    private volatile CageContext context;

    @Override
    public void start(CageContext context) throws Exception {
        this.context = context;
        context.database(DATABASE).use(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS invoices (order_id VARCHAR(64) PRIMARY KEY, customer VARCHAR(64) NOT NULL, "
                        + "amount_cents BIGINT NOT NULL, message_id VARCHAR(128))");
            }
            return null;
        });
    }

    @Override
    public Response handle(Request request) throws Exception {
        return switch (request.operation()) {
            case "charge" -> Response.of(Map.of("queued", context.queue(QUEUE).send(CHARGES,
                    "{\"order\":\"" + safe(request, "order") + "\",\"customer\":\"" + safe(request, "customer")
                            + "\",\"amountCents\":" + amount(request) + "}")));
            case "settle" -> Response.of(settle(safe(request, "order"), safe(request, "customer"), amount(request),
                    reference(request)));
            case "invoice" -> Response.of(invoice(safe(request, "order")));
            case "invoices" -> {
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("count", count());
                answer.put("invoices", latest());
                yield Response.of(answer);
            }
            default -> throw CageException.notFound("cage 'billing' has no operation '" + request.operation()
                    + "' (it has charge, settle, invoice, invoices)");
        };
    }

    private Map<String, Object> settle(String order, String customer, long amountCents, String messageId) throws CageException {
        boolean recorded = context.database(DATABASE).use(c -> {
            if (find(c, order) != null) {
                return false; // a redelivery of a charge already settled
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO invoices VALUES (?, ?, ?, ?)")) {
                s.setString(1, order);
                s.setString(2, customer);
                s.setLong(3, amountCents);
                s.setString(4, messageId);
                return s.executeUpdate() == 1;
            }
        });
        context.logger().log(System.Logger.Level.INFO, "order {0}: {1} cents for {2} {3}", order, amountCents, customer,
                recorded ? "settled" : "was already settled");
        return Map.of("order", order, "settled", recorded);
    }

    /** Where the charge came from: its JMS message id, or its durable call's key. */
    private static String reference(Request request) {
        String messageId = request.attributes().get("jms.JMSMessageID");
        return messageId != null ? messageId : request.attributes().get("durable.key");
    }

    private Map<String, Object> invoice(String order) throws CageException {
        Map<String, Object> found = context.database(DATABASE).use(c -> find(c, order));
        return found != null ? found : Map.of("order", order, "status", "pending");
    }

    private int count() throws CageException {
        return context.database(DATABASE).use(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM invoices")) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    private List<Map<String, Object>> latest() throws CageException {
        return context.database(DATABASE).use(c -> {
            List<Map<String, Object>> out = new ArrayList<>();
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT order_id, customer, amount_cents FROM invoices ORDER BY order_id DESC")) {
                while (rs.next() && out.size() < 50) {
                    out.add(row(rs.getString(1), rs.getString(2), rs.getLong(3)));
                }
            }
            return out;
        });
    }

    private static Map<String, Object> find(java.sql.Connection c, String order) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT customer, amount_cents FROM invoices WHERE order_id = ?")) {
            s.setString(1, order);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? row(order, rs.getString(1), rs.getLong(2)) : null;
            }
        }
    }

    private static Map<String, Object> row(String order, String customer, long amountCents) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("order", order);
        r.put("customer", customer);
        r.put("amountCents", amountCents);
        r.put("status", "settled");
        return r;
    }

    /** Order and customer ids go into a JSON message unescaped, so only plain ids are accepted. */
    private static String safe(Request request, String name) throws CageException {
        String value = request.param(name);
        if (value == null || !value.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw CageException.badRequest("parameter '" + name + "' must be 1-64 letters, digits, '_', '.' or '-', was "
                    + (value == null ? "missing" : "'" + value + "'"));
        }
        return value;
    }

    private static long amount(Request request) throws CageException {
        String value = request.param("amountCents");
        try {
            long n = Long.parseLong(value);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw CageException.badRequest("parameter 'amountCents' must be a whole number >= 0, was '" + value + "'");
    }
}
