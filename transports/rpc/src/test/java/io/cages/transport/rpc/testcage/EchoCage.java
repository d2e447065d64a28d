package io.cages.transport.rpc.testcage;

import io.cages.api.CageContext;
import io.cages.api.CageException;
import io.cages.api.CageHandler;
import io.cages.api.Request;
import io.cages.api.Response;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test cage for RPC tests: the operations of the host's VersionCage that RPC needs. It lives in this module
 * because the host's TestCages builds a cage jar from a class directory, and the host's own test cage comes
 * here inside its test jar. Counts what it runs in the host's Probe map (a java.* map in the system
 * properties, shared across class loaders).
 */
public final class EchoCage implements CageHandler {

    private volatile CageContext context;

    @Override
    public void start(CageContext context) {
        this.context = context;
    }

    @Override
    public Response handle(Request request) throws Exception {
        count(request.cage() + "." + request.operation());
        switch (request.operation()) {
            case "version":
                return Response.of(Map.of("version", context.version()));
            case "sleep":
                Thread.sleep(Long.parseLong(request.param("ms")));
                count(request.cage() + ".sleep.done");
                return Response.of(Map.of("slept", request.param("ms"), "version", context.version()));
            case "block":
                Thread.sleep(Long.MAX_VALUE);
                return Response.empty();
            case "deadline":
                return Response.of(Map.of("remainingMs", request.deadline().remainingMillis(), "caller", request.caller()));
            case "fail":
                throw new IllegalStateException("secret internal detail");
            default:
                throw CageException.notFound("no operation " + request.operation());
        }
    }

    @SuppressWarnings("unchecked")
    private static void count(String name) {
        Object map = System.getProperties().get("cages.test.probe");
        if (map != null) {
            ((ConcurrentMap<String, AtomicInteger>) map).computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
        }
    }
}
