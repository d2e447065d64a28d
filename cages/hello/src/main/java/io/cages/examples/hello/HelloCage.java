package io.cages.examples.hello;

import io.cages.api.CageContext;
import io.cages.api.CageException;
import io.cages.api.CageHandler;
import io.cages.api.Request;
import io.cages.api.Response;
import java.util.Map;

/**
 * The smallest useful cage. Operations:
 * <ul>
 *   <li>{@code greet?name=Ada} answers {@code {"greeting":"Hello, Ada!","version":"1.0.0"}}</li>
 *   <li>{@code echo} answers the request body as it came, with its content type</li>
 *   <li>{@code sleep?ms=2000} answers after a pause, or with deadline-exceeded when the deadline is shorter:
 *       a way to watch deadlines and draining at work</li>
 * </ul>
 * greet and echo are declared non-blocking in the manifest ({@code Cage-Non-Blocking}): they compute from
 * memory, so the host may run them on the thread that received the request; sleep waits, so it is not.
 */
public final class HelloCage implements CageHandler {

    private static final long MAX_SLEEP_MS = 60_000;

    private volatile String version = "unknown";

    @Override
    public void start(CageContext context) {
        version = context.version();
        context.logger().log(System.Logger.Level.INFO, "hello {0} ready", version);
    }

    @Override
    public void selfTest() throws Exception {
        if (!greet("self-test").get("greeting").toString().contains("self-test")) {
            throw new IllegalStateException("greet does not greet");
        }
    }

    @Override
    public Response handle(Request request) throws Exception {
        return switch (request.operation()) {
            case "greet" -> Response.of(greet(nameOf(request)));
            case "echo" -> Response.bytes(request.body(),
                    request.contentType() == null ? "application/octet-stream" : request.contentType());
            case "sleep" -> sleep(request);
            default -> throw CageException.notFound("cage 'hello' has no operation '" + request.operation()
                    + "' (it has greet, echo, sleep)");
        };
    }

    private Map<String, Object> greet(String name) {
        return Map.of("greeting", "Hello, " + name + "!", "version", version);
    }

    private static String nameOf(Request request) throws CageException {
        String name = request.param("name");
        if (name == null || name.isBlank()) {
            return "world";
        }
        if (name.length() > 200) {
            throw CageException.badRequest("parameter 'name' is longer than 200 characters");
        }
        return name;
    }

    private Response sleep(Request request) throws Exception {
        String ms = request.param("ms");
        long millis;
        try {
            millis = ms == null ? 1000 : Long.parseLong(ms);
        } catch (NumberFormatException e) {
            throw CageException.badRequest("parameter 'ms' must be a whole number of milliseconds, was '" + ms + "'");
        }
        if (millis < 0 || millis > MAX_SLEEP_MS) {
            throw CageException.badRequest("parameter 'ms' must be between 0 and " + MAX_SLEEP_MS);
        }
        Thread.sleep(millis); // interrupted by the host when the deadline passes
        return Response.of(Map.of("slept", millis, "version", version));
    }
}
