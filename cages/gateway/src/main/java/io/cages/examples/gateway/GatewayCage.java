package io.cages.examples.gateway;

import io.cages.api.CageContext;
import io.cages.api.CageException;
import io.cages.api.CageHandler;
import io.cages.api.CallResult;
import io.cages.api.Request;
import io.cages.api.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The demo's front door: {@code GET /gateway/welcome?name=Ada&language=fr} calls {@code hello} and
 * {@code greeter} by name, in parallel, and answers with both greetings and where each came from. The
 * called cages may run on this host or on any other host of the flock; the request's deadline travels with
 * both calls.
 */
public final class GatewayCage implements CageHandler {

    private volatile CageContext context;

    @Override
    public void start(CageContext context) {
        this.context = context;
    }

    @Override
    public Response handle(Request request) throws Exception {
        if (!"welcome".equals(request.operation())) {
            throw CageException.notFound("cage 'gateway' has no operation '" + request.operation() + "' (it has welcome)");
        }
        String name = request.param("name") == null ? "world" : request.param("name");
        String language = request.param("language") == null ? "en" : request.param("language");
        CompletableFuture<CallResult> hello = context.cage("hello").callAsync("greet", Map.of("name", name));
        CompletableFuture<CallResult> greeter = context.cage("greeter").callAsync("greet", Map.of("name", name, "language", language));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("hello", describe(await(hello)));
        answer.put("greeter", describe(await(greeter)));
        return Response.of(answer);
    }

    private static Map<String, Object> describe(CallResult result) {
        Map<String, Object> part = new LinkedHashMap<>();
        part.put("answer", result.value());
        part.put("host", result.host());
        part.put("version", result.version());
        return part;
    }

    private static CallResult await(CompletableFuture<CallResult> call) throws CageException, InterruptedException {
        try {
            return call.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CageException c) {
                throw c; // already names the cage, operation and host that failed
            }
            throw CageException.internal("call failed", e.getCause());
        }
    }
}
