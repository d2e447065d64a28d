package io.cages.transport.jobs.testcage;

import io.cages.api.CageException;
import io.cages.api.CageHandler;
import io.cages.api.Request;
import io.cages.api.Response;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Test cage for the jobs transport: counts runs into the test's probe map (system properties). */
public final class ClockCage implements CageHandler {

    @Override
    public Response handle(Request request) throws Exception {
        count(request.operation());
        count(request.operation() + ".caller." + request.caller());
        if (request.id().contains("@") && request.attributes().containsKey("job.scheduled")) {
            count("id-and-times-ok");
        }
        if (request.operation().equals("ingest")) {
            String body = new String(request.body(), StandardCharsets.UTF_8);
            if (body.contains("poison")) {
                throw CageException.badRequest("cannot ingest " + request.attributes().get("file.name"));
            }
            count("file." + request.attributes().get("file.name") + "." + body.trim());
        }
        return Response.of(Map.of("params", request.params()));
    }

    @SuppressWarnings("unchecked")
    private static void count(String name) {
        ConcurrentMap<String, AtomicInteger> probe;
        synchronized (System.getProperties()) {
            probe = (ConcurrentMap<String, AtomicInteger>) System.getProperties()
                    .computeIfAbsent("cages.test.probe", k -> new java.util.concurrent.ConcurrentHashMap<String, AtomicInteger>());
        }
        probe.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
    }
}
