package io.cages.examples.gateway;

import io.cages.api.CageContext;
import io.cages.api.CageException;
import io.cages.api.CageHandler;
import io.cages.api.CallResult;
import io.cages.api.Request;
import io.cages.api.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The demo's front door: {@code GET /gateway/welcome?name=Ada&language=fr} calls {@code hello} and
 * {@code greeter} by name, in parallel, and answers with both greetings and where each came from. The
 * called cages may run on this host or on any other host of the flock; the request's deadline travels with
 * both calls.
 *
 * <p>{@code POST /gateway/order?sku=bolt&quantity=3&customer=c-17} places an order: {@code inventory} reserves
 * the stock and stores the charge (a durable call of billing) in one transaction, then {@code billing} is asked
 * how the charge stands (often still {@code pending}: the host delivers the charge a moment later, until billing
 * settles it). Once reserved, the order stands: if asking billing fails, the answer says its status is
 * {@code unknown}, and the charge is still delivered.
 *
 * <p>{@code GET /gateway/quote?sku=bolt&quantity=120&customer=c-17} asks {@code pricing} for a price: a process cage
 * (warm Python workers, cages/pricing), called by name exactly like a Java cage.
 */
public final class GatewayCage implements CageHandler {

    private volatile CageContext context;

    @Override
    public void start(CageContext context) {
        this.context = context;
    }

    @Override
    public Response handle(Request request) throws Exception {
        return switch (request.operation()) {
            case "welcome" -> welcome(request);
            case "order" -> order(request);
            case "quote" -> quote(request);
            default -> throw CageException.notFound("cage 'gateway' has no operation '" + request.operation()
                    + "' (it has welcome, order, quote)");
        };
    }

    private Response order(Request request) throws Exception {
        String order = "o-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> reserve = new LinkedHashMap<>();
        reserve.put("order", order);
        reserve.put("sku", request.param("sku"));
        reserve.put("quantity", request.param("quantity"));
        reserve.put("customer", request.param("customer") == null ? "walk-in" : request.param("customer"));
        reserve.values().removeIf(Objects::isNull); // inventory names what is missing
        CallResult reserved = context.cage("inventory").call("reserve", reserve);
        Object billing;
        try {
            billing = describe(context.cage("billing").call("invoice", Map.of("order", order)));
        } catch (CageException e) {
            // The order stands: its charge is a durable call stored with the reservation, settled once billing answers.
            billing = Map.of("status", "unknown", "error", e.getMessage());
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("order", order);
        answer.put("inventory", describe(reserved));
        answer.put("billing", billing);
        return Response.of(answer);
    }

    private Response quote(Request request) throws Exception {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("sku", request.param("sku"));
        params.put("quantity", request.param("quantity") == null ? "1" : request.param("quantity"));
        params.put("customer", request.param("customer"));
        params.values().removeIf(Objects::isNull); // pricing names what is missing
        return Response.of(Map.of("pricing", describe(context.cage("pricing").call("quote", params))));
    }

    private Response welcome(Request request) throws Exception {
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
