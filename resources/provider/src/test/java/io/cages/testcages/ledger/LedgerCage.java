package io.cages.testcages.ledger;

import io.cages.api.CageContext;
import io.cages.api.CageException;
import io.cages.api.CageHandler;
import io.cages.api.DurableCall;
import io.cages.api.Request;
import io.cages.api.Response;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test cage for durable calls, calling itself by name. Caller side: {@code place?id=&fail=} inserts an order and
 * a durable {@code charge} in one transaction; {@code send?id=&key=&bad=&to=&expiryMs=&slowMs=} stores a durable call
 * outside a transaction; {@code lookup?callId=}. Target side: {@code charge?id=&bad=&slowMs=} inserts an
 * effect row (table effects, no key: a double execution shows as two rows) on its database, which joins the
 * durable call's transaction; {@code fanout?id=} stores two nested durable charges, and fails its first run;
 * {@code children?id=} lists the ids of the calls fanout stored; {@code timed?id=} (the benchmark's effect) inserts
 * the id and {@code System.nanoTime()} into table timed.
 */
public final class LedgerCage implements CageHandler {

    private static final AtomicLong EXECUTIONS = new AtomicLong();
    private static final Map<String, AtomicInteger> FANOUT_RUNS = new ConcurrentHashMap<>();
    private static final Map<String, List<String>> CHILDREN = new ConcurrentHashMap<>();
    private volatile CageContext context;

    @Override
    public void start(CageContext context) {
        this.context = context;
    }

    @Override
    public Response handle(Request request) throws Exception {
        String id = request.param("id");
        return switch (request.operation()) {
            case "place" -> {
                List<Object> results = context.transaction()
                        .sql("main", c -> {
                            try (PreparedStatement s = c.prepareStatement("INSERT INTO orders (id) VALUES (?)")) {
                                s.setString(1, id);
                                return s.executeUpdate();
                            }
                        })
                        .callDurably("ledger", "charge", Map.of("id", id, "slowMs", String.valueOf(request.param("slowMs"))), id)
                        .sql("main", c -> {
                            if ("true".equals(request.param("fail"))) {
                                throw new java.sql.SQLException("refused on purpose for order " + id, "23000");
                            }
                            return 0;
                        })
                        .commit();
                yield Response.of(Map.of("callId", ((DurableCall) results.get(1)).id(), "key", ((DurableCall) results.get(1)).key()));
            }
            case "send" -> {
                Map<String, Object> params = new LinkedHashMap<>();
                params.put("id", id);
                if (request.param("bad") != null) {
                    params.put("bad", request.param("bad"));
                }
                if (request.param("slowMs") != null) {
                    params.put("slowMs", request.param("slowMs"));
                }
                String to = request.param("to") != null ? request.param("to") : "ledger";
                Duration expiry = request.param("expiryMs") != null ? Duration.ofMillis(Long.parseLong(request.param("expiryMs"))) : null;
                String op = request.param("op") != null ? request.param("op") : "charge";
                DurableCall call = context.cage(to).callDurably(op, params, request.param("key"), expiry);
                yield Response.of(Map.of("callId", call.id(), "status", call.status().name()));
            }
            case "lookup" -> {
                DurableCall call = context.durableCall(request.param("callId"));
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("status", call.status().name());
                out.put("key", call.key());
                out.put("attempts", call.attempts());
                out.put("value", call.value());
                out.put("error", call.error() == null ? null : call.error().code() + ": " + call.error().getMessage());
                yield Response.of(out);
            }
            case "charge" -> {
                if (request.param("bad") != null) {
                    throw CageException.badRequest("cannot charge " + id + ": " + request.param("bad"));
                }
                String slow = request.param("slowMs");
                if (slow != null && !slow.equals("null")) {
                    Thread.sleep(Long.parseLong(slow));
                }
                context.database("main").use(c -> {
                    try (PreparedStatement s = c.prepareStatement("INSERT INTO effects (id) VALUES (?)")) {
                        s.setString(1, request.attributes().get("durable.key"));
                        return s.executeUpdate();
                    }
                });
                yield Response.of(Map.of("charged", id, "execution", EXECUTIONS.incrementAndGet()));
            }
            case "timed" -> {
                // For DurableCallsBench: when the effect committed is read back from the row (same JVM clock).
                context.database("main").use(c -> {
                    try (PreparedStatement s = c.prepareStatement("INSERT INTO timed (id, at_nanos) VALUES (?, ?)")) {
                        s.setString(1, id);
                        s.setLong(2, System.nanoTime());
                        return s.executeUpdate();
                    }
                });
                yield Response.empty();
            }
            case "fanout" -> {
                List<String> children = CHILDREN.computeIfAbsent(id, k -> new java.util.concurrent.CopyOnWriteArrayList<>());
                children.add(context.cage("ledger").callDurably("charge", Map.of("id", id + "-a"), "a").id());
                children.add(context.cage("ledger").callDurably("charge", Map.of("id", id + "-b"), "b").id());
                if (FANOUT_RUNS.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet() == 1) {
                    throw new IllegalStateException("first run of fanout " + id + " fails after storing its children");
                }
                yield Response.of(Map.of("fannedOut", id));
            }
            case "children" -> Response.of(Map.of("ids", CHILDREN.getOrDefault(id, List.of())));
            default -> throw CageException.notFound("no operation " + request.operation());
        };
    }
}
