package io.cages.testcages;

import io.cages.api.CageContext;
import io.cages.api.CageException;
import io.cages.api.CageHandler;
import io.cages.api.Request;
import io.cages.api.Response;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test cage: answers its version; {@code sleep?ms=} and {@code block} hold a request; {@code thread} names the
 * thread it runs on; {@code call-and-wait} and {@code use-db} try what a non-blocking operation may not do;
 * counts what it runs.
 */
public final class VersionCage implements CageHandler {

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
                count(request.cage() + ".block.started");
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    count(request.cage() + ".block.interrupted");
                    throw e;
                }
                return Response.empty();
            case "config":
                return Response.of(context.config().asMap());
            case "deadline":
                return Response.of(Map.of("remainingMs", request.deadline().remainingMillis(), "caller", request.caller()));
            case "echo-params":
                return Response.of(Map.of("params", request.params(), "caller", request.caller(),
                        "remainingMs", request.deadline().remainingMillis()));
            case "fail":
                throw new IllegalStateException("secret internal detail");
            case "thread":
                return Response.of(Map.of("thread", Thread.currentThread().getName(), "virtual", Thread.currentThread().isVirtual(),
                        "trace", String.valueOf(request.attributes().get("trace.id"))));
            case "call-and-wait":
                try {
                    return Response.of(Map.of("called", context.cage(request.param("target")).call("version", Map.of()).value()));
                } catch (IllegalStateException e) {
                    return Response.of(Map.of("refused", e.getMessage()));
                }
            case "use-db":
                try {
                    return Response.of(Map.of("handle", context.database("orders").toString()));
                } catch (IllegalStateException e) {
                    return Response.of(Map.of("refused", e.getMessage()));
                }
            case "relay-twice": {
                Object first = ((Map<?, ?>) context.cage(request.param("target")).call("thread", Map.of()).value()).get("trace");
                Object second = ((Map<?, ?>) context.cage(request.param("target")).call("thread", Map.of()).value()).get("trace");
                return Response.of(Map.of("first", first, "second", second, "trace", String.valueOf(request.attributes().get("trace.id"))));
            }
            case "stream": {
                int bytes = Integer.parseInt(request.param("bytes"));
                String name = request.cage() + ".stream";
                return Response.stream("application/x-test", out -> {
                    byte[] piece = new byte[1024];
                    try {
                        for (int left = bytes; left > 0; left -= piece.length) {
                            out.write(piece, 0, Math.min(left, piece.length));
                        }
                        count(name + ".ended");
                    } catch (java.io.IOException e) {
                        count(name + ".ioerror");
                        System.getProperties().put("cages.test.stream.error", String.valueOf(e.getMessage()));
                        throw e;
                    }
                });
            }
            case "call-stream": {
                io.cages.api.CallResult result = context.cage(request.param("target")).call("stream", Map.of("bytes", request.param("bytes")));
                return Response.of(Map.of("length", result.body().length, "contentType", result.contentType()));
            }
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
