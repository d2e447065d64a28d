package io.cages.testcages.caller;

import io.cages.api.CageContext;
import io.cages.api.CageException;
import io.cages.api.CageHandler;
import io.cages.api.CallResult;
import io.cages.api.Request;
import io.cages.api.Response;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

/**
 * Test cage that calls another cage by name: {@code relay?target=svc&op=version&...params}, or the same with
 * {@code relay-async}, which attaches a stage to {@code callAsync} and answers where that stage ran.
 */
public final class CallerCage implements CageHandler {

    /** A record passed as a parameter: the callee must get a copy (a map), never this object. */
    public record Point(int x, int y) {
    }

    /** System property holding a CountDownLatch that relay-async counts down once its stage is attached. */
    public static final String STAGE_ATTACHED = "cages.test.caller.stageAttached";

    private volatile CageContext context;

    @Override
    public void start(CageContext context) {
        this.context = context;
    }

    @Override
    public Response handle(Request request) throws Exception {
        String target = request.param("target");
        String op = request.param("op");
        Map<String, Object> params = new HashMap<>(request.params());
        params.remove("target");
        params.remove("op");
        // A chain: nextTarget/nextOp become the next hop's target/op (caller -> hop -> svc).
        if (params.containsKey("nextTarget")) {
            params.put("target", params.remove("nextTarget"));
            params.put("op", params.remove("nextOp"));
        }
        if ("relay".equals(request.operation())) {
            CallResult result = context.cage(target).call(op, params);
            Map<String, Object> answer = new HashMap<>();
            answer.put("value", result.value());
            answer.put("host", result.host());
            answer.put("version", result.version());
            return Response.of(answer);
        }
        if ("relay-async".equals(request.operation())) {
            CompletableFuture<Map<String, Object>> staged = context.cage(target).callAsync(op, params).thenApply(result -> {
                Map<String, Object> seen = new HashMap<>();
                seen.put("value", result.value());
                seen.put("virtual", Thread.currentThread().isVirtual());
                seen.put("thread", Thread.currentThread().getName());
                return seen;
            });
            // A test may wait for this before it lets the answer arrive (java.* types only cross the bundle).
            if (System.getProperties().get(STAGE_ATTACHED) instanceof CountDownLatch attached) {
                attached.countDown();
            }
            return Response.of(staged.get());
        }
        if ("point".equals(request.operation())) {
            params.put("point", new Point(3, 4));
            return Response.of(Map.of("value", context.cage(target).call("config".equals(op) ? op : "echo-params", params).value()));
        }
        throw CageException.notFound("no operation " + request.operation());
    }
}
