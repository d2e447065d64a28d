package io.cages.transport.jms.testcage;

import io.cages.api.CageContext;
import io.cages.api.CageException;
import io.cages.api.CageHandler;
import io.cages.api.Request;
import io.cages.api.Response;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test cage for the JMS transport. Counts into the test's probe map (system properties, shared across class
 * loaders): every message by its {@code n} property, and which version handled it.
 */
public final class QueueCage implements CageHandler {

    private volatile CageContext context;

    @Override
    public void start(CageContext context) {
        this.context = context;
    }

    @Override
    public Response handle(Request request) throws Exception {
        String n = request.attributes().get("jms.n");
        count(request.operation() + ".attempt");
        switch (request.operation()) {
            case "record":
                count("seen." + n);
                count("version." + context.version());
                return Response.empty();
            case "echo":
                count("echo.done");
                return Response.of(Map.of("params", request.params(), "version", context.version(),
                        "caller", request.caller(), "deliveries", request.attributes().getOrDefault("jms.JMSXDeliveryCount", "?")));
            case "slow":
                // The work itself takes a while, so that a cage limited to one request at a time refuses others.
                count("slow.delivery." + request.attributes().get("jms.JMSXDeliveryCount"));
                Thread.sleep(30);
                count("seen." + n);
                return Response.empty();
            case "hold":
                // Runs until the test releases it (bounded), to be in flight while the host shuts down.
                count("hold.started");
                long until = System.nanoTime() + 10_000_000_000L;
                while (get("release") == 0 && System.nanoTime() < until) {
                    Thread.sleep(5);
                }
                count("hold.done");
                return Response.empty();
            case "fail-twice":
                // Fails on the first two deliveries of a message, succeeds on the third.
                if (Integer.parseInt(request.attributes().get("jms.JMSXDeliveryCount")) < 3) {
                    throw new IllegalStateException("not yet");
                }
                count("fail-twice.done");
                return Response.empty();
            case "fail":
                throw new IllegalStateException("ledger closed for " + n);
            case "bad":
                throw CageException.badRequest("amount missing");
            default:
                throw CageException.notFound("no operation " + request.operation());
        }
    }

    @SuppressWarnings("unchecked")
    private static int get(String name) {
        Object map = System.getProperties().get("cages.test.probe");
        AtomicInteger c = map == null ? null : ((ConcurrentMap<String, AtomicInteger>) map).get(name);
        return c == null ? 0 : c.get();
    }

    @SuppressWarnings("unchecked")
    private static void count(String name) {
        Object map = System.getProperties().get("cages.test.probe");
        if (map != null) {
            ((ConcurrentMap<String, AtomicInteger>) map).computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
        }
    }
}
