package io.cages.testcages.traced;

import io.cages.api.CageContext;
import io.cages.api.CageHandler;
import io.cages.api.Request;
import io.cages.api.Response;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Test cage for traces, one class for three cages: {@code front/go} logs a line and calls {@code middle/relay} by
 * name; {@code relay} logs a line and sends a JMS message on the resource {@code events} to queue {@code traced};
 * {@code record} (fed by that queue) logs a line and keeps what trace it ran in where the test reads it
 * ({@link #RECORDED}). Each answers with the {@code trace.*} attributes it ran with.
 */
public final class TracedCage implements CageHandler {

    /** System property holding a Queue of the trace attributes each {@code record} ran with. */
    public static final String RECORDED = "cages.test.traced.recorded";

    private volatile CageContext context;

    @Override
    public void start(CageContext context) {
        this.context = context;
    }

    @Override
    public Response handle(Request request) throws Exception {
        context.logger().log(System.Logger.Level.INFO, "serving " + request.operation());
        Map<String, Object> answer = new HashMap<>(traceOf(request));
        switch (request.operation()) {
            case "go" -> answer.put("next", context.cage("middle").call("relay", Map.of()).value());
            case "relay" -> context.queue("events").send("traced", "{\"from\": \"middle\"}");
            case "record" -> recorded().add(traceOf(request));
            default -> throw new IllegalArgumentException("no operation " + request.operation());
        }
        return Response.of(answer);
    }

    private static Map<String, String> traceOf(Request request) {
        Map<String, String> trace = new HashMap<>();
        request.attributes().forEach((name, value) -> {
            if (name.startsWith("trace.")) {
                trace.put(name, value);
            }
        });
        return trace;
    }

    @SuppressWarnings("unchecked")
    private static Queue<Map<String, String>> recorded() {
        synchronized (System.getProperties()) {
            return (Queue<Map<String, String>>) System.getProperties().computeIfAbsent(RECORDED, k -> new ConcurrentLinkedQueue<>());
        }
    }
}
