package io.cages.transport.http.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.cages.host.admin.HealthEntry;
import io.cages.host.admin.HealthView;
import io.cages.host.spi.HostJson;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The health monitor's view as HTTP answers a load balancer or a Kubernetes probe understands: the status code
 * alone says ready (200) or not (503); the body says why.
 */
final class HealthAnswers {

    private HealthAnswers() {
    }

    /**
     * {@code GET /health}: 200 {@code {"status":"ok","host":..,"state":"serving","cages":{"hello":"up"}}} when the host
     * serves and each of its cages is up; else 503 {@code {"status":"unavailable",..,"message":..,"problems":[..]}}.
     */
    static FullHttpResponse readiness(HealthView view) {
        Map<String, Object> body = new LinkedHashMap<>();
        Map<String, String> cages = new LinkedHashMap<>();
        for (HealthEntry entry : view.entries()) {
            if (entry.host().equals(view.host())) {
                cages.put(entry.cage(), entry.status());
            }
        }
        boolean ready = view.ready();
        body.put("status", ready ? "ok" : "unavailable");
        body.put("host", view.host());
        body.put("state", view.state());
        body.put("cages", cages);
        if (!ready) {
            List<Map<String, String>> problems = new ArrayList<>();
            List<String> said = new ArrayList<>();
            for (HealthEntry entry : view.localProblems()) {
                Map<String, String> problem = new LinkedHashMap<>();
                problem.put("cage", entry.cage());
                problem.put("status", entry.status());
                problem.put("reason", entry.reason());
                problems.add(problem);
                said.add("cage '" + entry.cage() + "' is " + entry.status() + (entry.reason() == null ? "" : ": " + entry.reason()));
            }
            String message = switch (view.state()) {
                case HealthView.STARTING -> "host " + view.host() + " is starting: its cages have not been probed yet";
                case HealthView.DRAINING -> "host " + view.host() + " is shutting down (draining)";
                default -> "host " + view.host() + " is not ready: " + String.join("; ", said);
            };
            body.put("message", message);
            body.put("problems", problems);
        }
        return json(ready ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, body);
    }

    /** {@code GET /health/flock}: the whole view. */
    static FullHttpResponse flock(HealthView view) {
        return json(HttpResponseStatus.OK, view);
    }

    private static FullHttpResponse json(HttpResponseStatus status, Object value) {
        try {
            return Responses.json(status, HostJson.MAPPER.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
