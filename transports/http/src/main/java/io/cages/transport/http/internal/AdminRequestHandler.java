package io.cages.transport.http.internal;

import io.cages.host.admin.Admin;
import io.cages.host.admin.DeployRecord;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadFactory;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin listener: the {@link Admin} operations as JSON over HTTP.
 *
 * <pre>
 * GET    /health                 this host's readiness: 200 {"status":"ok",...} when it serves and every cage it runs is up,
 *                                503 {"status":"unavailable",...} naming what is not (starting, draining, a cage down or degraded)
 * GET    /health/live            200 {"status":"ok"} while the admin listener answers at all (liveness)
 * GET    /health/flock           the health monitor's matrix: every cage on every host with status, reason, since, last probe
 * GET    /metrics                Prometheus text (OpenMetrics when Accept asks for it); 404 when metrics are off
 * GET    /console                the web console's page (its static files need no token; see ConsoleFiles)
 * GET    /console/api/history?cage=&amp;operation=&amp;window=minute|hour  the console's charts; 404 when metrics are off
 * GET    /cages                  [CageInfo...]
 * GET    /history                [DeployRecord...]
 * GET    /config-problems        [ConfigProblem...]
 * GET    /flock                  [FlockMember...] (empty when the host is in no flock)
 * GET    /resources              {name: {kind, pool counts}} (never credentials)
 * GET    /jobs                   [JobInfo...] (scheduled jobs: next fire time, last run, last outcome)
 * POST   /run-job?job=NAME[&amp;cage=CAGE] -> JobRun; 200 ran ok, 422 the run failed, 404 no such job
 * POST   /deploy[?origin=..]     body = the cage jar  -> DeployRecord; 200 deployed, 422 failed
 * POST   /deploy?watch=30s[&amp;maxErrorRate=5&amp;maxP99Ratio=2&amp;p99FloorMs=50&amp;minRequests=20]
 *                                a guarded deploy -> Rollout once watched; 200 passed, 422 failed or rolled back
 * GET    /rollouts               [Rollout...] guarded deploys (one being watched included)
 * POST   /rollback?cage=NAME     -> DeployRecord; 200 rolled back, 409 no previous version kept, 422 failed
 * POST   /undeploy?cage=NAME     -> DeployRecord; 200 undeployed, 404 no such cage, 422 failed
 * DELETE /cages/NAME             same as /undeploy
 * </pre>
 *
 * With an admin token set, every request needs {@code Authorization: Bearer <token>}; 401 otherwise.
 *
 * <p>Admin operations block (a deploy starts a bundle and may run its self-test), so each runs on a virtual
 * thread of its own, never on the event loop. Deploys are rare, so no pool: a thread per call.
 */
final class AdminRequestHandler extends ConnectionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(AdminRequestHandler.class);

    private static final ThreadFactory ADMIN_THREADS = Thread.ofVirtual().name("cages-admin-", 0).factory();
    private static final byte[] HEALTHY = "{\"status\":\"ok\"}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final String GET = "GET";
    private static final String POST = "POST";
    private static final String DELETE = "DELETE";
    private static final String ENDPOINTS = "GET /health, GET /health/live, GET /health/flock, GET /metrics, GET /console, GET /console/api/history?cage=&operation=&window=minute|hour, GET /cages, GET /history, GET /config-problems, GET /flock, GET /resources, GET /jobs, GET /durable-calls, POST /durable-calls/retry, POST /durable-calls/cancel, "
            + "GET /rollouts, POST /deploy[?watch=30s], POST /rollback?cage=<name>, POST /run-job?job=<name>[&cage=<cage>], POST /undeploy?cage=<name>, DELETE /cages/<name>";

    private final Admin admin;
    private final AdminAccess access;

    AdminRequestHandler(Admin admin, AdminAccess access, Supplier<String> newRequestId, BooleanSupplier draining) {
        super(newRequestId, draining);
        this.admin = admin;
        this.access = access;
    }

    @Override
    protected void serve(ChannelHandlerContext ctx, FullHttpRequest request, Exchange exchange) {
        if (request.uri().startsWith(ConsoleFiles.PREFIX) && request.method() == HttpMethod.GET) {
            String path = new QueryStringDecoder(request.uri()).rawPath();
            if (ConsoleFiles.isFile(path)) { // no data in these: the page asks for the token and sends it itself
                respond(exchange, ConsoleFiles.get(path, exchange.requestId));
                return;
            }
        }
        if (!access.allows(request.headers())) {
            FullHttpResponse refused = error(HttpResponseStatus.UNAUTHORIZED, "unauthorized",
                    "this admin listener needs 'Authorization: Bearer <token>' with the host's admin token"
                            + " (cagectl: --token or the environment variable CAGES_ADMIN_TOKEN)", exchange);
            refused.headers().set(io.netty.handler.codec.http.HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"cages-admin\"");
            respond(exchange, refused);
            return;
        }
        QueryStringDecoder uri;
        try {
            uri = new QueryStringDecoder(request.uri(), java.nio.charset.StandardCharsets.UTF_8, true, RequestParams.MAX_PARAMS, true);
            uri.path(); // decodes now, so a malformed escape is a 400 here
        } catch (IllegalArgumentException e) {
            respond(exchange, error(HttpResponseStatus.BAD_REQUEST, "bad_request", "malformed request URI: " + e.getMessage(), exchange));
            return;
        }
        String path = uri.path();
        HttpMethod method = request.method();
        String id = exchange.requestId;
        switch (path) {
            case "/health" -> {
                if (allowed(method, GET, exchange)) {
                    io.cages.host.admin.HealthView health = admin.health();
                    respond(exchange, health == null ? Responses.json(HttpResponseStatus.OK, HEALTHY) : HealthAnswers.readiness(health));
                }
            }
            case "/health/live" -> {
                if (allowed(method, GET, exchange)) {
                    respond(exchange, Responses.json(HttpResponseStatus.OK, HEALTHY));
                }
            }
            case "/health/flock" -> {
                if (allowed(method, GET, exchange)) {
                    io.cages.host.admin.HealthView health = admin.health();
                    respond(exchange, health == null
                            ? error(HttpResponseStatus.NOT_FOUND, "not_found", "this host has no health monitor", exchange)
                            : HealthAnswers.flock(health));
                }
            }
            case "/metrics" -> {
                if (allowed(method, GET, exchange)) {
                    String accept = request.headers().get(io.netty.handler.codec.http.HttpHeaderNames.ACCEPT);
                    offload(exchange, "scrape metrics", () -> metrics(accept, exchange));
                }
            }
            case "/cages" -> {
                if (allowed(method, GET, exchange)) {
                    offload(exchange, "list cages", () -> Responses.value(HttpResponseStatus.OK, admin.cages()));
                }
            }
            case "/history" -> {
                if (allowed(method, GET, exchange)) {
                    offload(exchange, "list history", () -> Responses.value(HttpResponseStatus.OK, admin.history()));
                }
            }
            case "/config-problems" -> {
                if (allowed(method, GET, exchange)) {
                    offload(exchange, "list config problems", () -> Responses.value(HttpResponseStatus.OK, admin.configProblems()));
                }
            }
            case "/flock" -> {
                if (allowed(method, GET, exchange)) {
                    offload(exchange, "list the flock", () -> Responses.value(HttpResponseStatus.OK, admin.flock()));
                }
            }
            case "/resources" -> {
                if (allowed(method, GET, exchange)) {
                    offload(exchange, "list resources", () -> Responses.value(HttpResponseStatus.OK, admin.resources()));
                }
            }
            case "/jobs" -> {
                if (allowed(method, GET, exchange)) {
                    offload(exchange, "list jobs", () -> Responses.value(HttpResponseStatus.OK, admin.jobs()));
                }
            }
            case "/console/api/history" -> {
                if (allowed(method, GET, exchange)) {
                    String cage = first(uri.parameters(), "cage");
                    String operation = first(uri.parameters(), "operation");
                    String window = first(uri.parameters(), "window");
                    offload(exchange, "console history", () -> history(cage, operation, window, exchange));
                }
            }
            case "/run-job" -> {
                if (allowed(method, POST, exchange)) {
                    String job = first(uri.parameters(), "job");
                    if (job == null || job.isEmpty()) {
                        respond(exchange, error(HttpResponseStatus.BAD_REQUEST, "bad_request", "POST /run-job needs the query parameter job=<name> (and cage=<cage> when several cages have a job of that name)", exchange));
                    } else {
                        runJob(first(uri.parameters(), "cage"), job, exchange);
                    }
                }
            }
            case "/durable-calls" -> {
                if (allowed(method, GET, exchange)) {
                    String cage = first(uri.parameters(), "cage");
                    String status = first(uri.parameters(), "status");
                    String limit = first(uri.parameters(), "limit");
                    offload(exchange, "list durable calls", () -> durable(exchange, () -> Responses.value(HttpResponseStatus.OK,
                            admin.durableCalls(cage, status, limit == null ? 100 : Integer.parseInt(limit)))));
                }
            }
            case "/durable-calls/retry", "/durable-calls/cancel" -> {
                if (allowed(method, POST, exchange)) {
                    String call = first(uri.parameters(), "id");
                    boolean retry = path.endsWith("retry");
                    if (call == null || call.isEmpty()) {
                        respond(exchange, error(HttpResponseStatus.BAD_REQUEST, "bad_request", "POST " + path + " needs the query parameter id=<call id>", exchange));
                    } else {
                        offload(exchange, (retry ? "retry" : "cancel") + " durable call " + call, () -> durable(exchange, () -> {
                            boolean done = retry ? admin.retryDurableCall(call) : admin.cancelDurableCall(call);
                            return done ? Responses.value(HttpResponseStatus.OK, java.util.Map.of("id", call, retry ? "retried" : "cancelled", true))
                                    : error(HttpResponseStatus.NOT_FOUND, "not_found", retry ? "no durable call '" + call + "' to retry (unknown, or done)"
                                    : "no pending durable call '" + call + "' to cancel", exchange);
                        }));
                    }
                }
            }
            case "/deploy" -> {
                if (allowed(method, POST, exchange)) {
                    deploy(ctx, request, uri.parameters(), exchange);
                }
            }
            case "/rollouts" -> {
                if (allowed(method, GET, exchange)) {
                    offload(exchange, "list rollouts", () -> Responses.value(HttpResponseStatus.OK, admin.rollouts()));
                }
            }
            case "/rollback" -> {
                if (allowed(method, POST, exchange)) {
                    String cage = first(uri.parameters(), "cage");
                    if (cage == null || cage.isEmpty()) {
                        respond(exchange, error(HttpResponseStatus.BAD_REQUEST, "bad_request", "POST /rollback needs the query parameter cage=<name>", exchange));
                    } else {
                        rollback(ctx, cage, uri.parameters(), exchange);
                    }
                }
            }
            case "/undeploy" -> {
                if (allowed(method, POST, exchange)) {
                    String cage = first(uri.parameters(), "cage");
                    if (cage == null || cage.isEmpty()) {
                        respond(exchange, error(HttpResponseStatus.BAD_REQUEST, "bad_request", "POST /undeploy needs the query parameter cage=<name>", exchange));
                    } else {
                        undeploy(ctx, cage, uri.parameters(), exchange);
                    }
                }
            }
            default -> {
                String cage = path.startsWith("/cages/") ? path.substring("/cages/".length()) : null;
                if (cage != null && !cage.isEmpty() && cage.indexOf('/') < 0) {
                    if (allowed(method, DELETE, exchange)) {
                        undeploy(ctx, cage, uri.parameters(), exchange);
                    }
                } else {
                    respond(exchange, Responses.error(HttpResponseStatus.NOT_FOUND, "not_found",
                            "no admin endpoint at '" + clip(path) + "'; endpoints: " + ENDPOINTS, id));
                }
            }
        }
    }

    private void deploy(ChannelHandlerContext ctx, FullHttpRequest request, Map<String, List<String>> query, Exchange exchange) {
        if (!request.content().isReadable()) {
            respond(exchange, error(HttpResponseStatus.BAD_REQUEST, "bad_request", "POST /deploy needs the cage jar as the request body", exchange));
            return;
        }
        // Copied here because the request is released when serve returns; a memcpy, not a blocking call.
        byte[] jar = ByteBufUtil.getBytes(request.content());
        String origin = originOf(ctx, query);
        io.cages.host.admin.WatchRule rule;
        try {
            Map<String, String> flat = new java.util.HashMap<>();
            query.forEach((k, v) -> flat.put(k, v.isEmpty() ? null : v.get(0)));
            rule = io.cages.host.admin.WatchRule.fromParameters(flat);
        } catch (IllegalArgumentException e) {
            respond(exchange, error(HttpResponseStatus.BAD_REQUEST, "bad_request", e.getMessage(), exchange));
            return;
        }
        if (rule != null) {
            offload(exchange, "guarded deploy from " + origin, () -> {
                io.cages.host.admin.Rollout rollout = admin.deployGuarded(jar, origin, rule);
                return Responses.value(rollout.passed() ? HttpResponseStatus.OK : HttpResponseStatus.UNPROCESSABLE_ENTITY, rollout);
            });
            return;
        }
        offload(exchange, "deploy from " + origin, () -> {
            DeployRecord record = admin.deploy(jar, origin);
            return Responses.value(record.succeeded() ? HttpResponseStatus.OK : HttpResponseStatus.UNPROCESSABLE_ENTITY, record);
        });
    }

    private void rollback(ChannelHandlerContext ctx, String cage, Map<String, List<String>> query, Exchange exchange) {
        String origin = originOf(ctx, query);
        offload(exchange, "roll back " + cage, () -> {
            DeployRecord record = admin.rollback(cage, origin);
            if (record == null) {
                return error(HttpResponseStatus.CONFLICT, "conflict", "cage '" + clip(cage) + "' has no previous version to roll back to"
                        + " on this host (the host keeps the one version before the last deploy, until a restart or a rollback)", exchange);
            }
            return Responses.value(record.succeeded() ? HttpResponseStatus.OK : HttpResponseStatus.UNPROCESSABLE_ENTITY, record);
        });
    }

    private void undeploy(ChannelHandlerContext ctx, String cage, Map<String, List<String>> query, Exchange exchange) {
        String origin = originOf(ctx, query);
        offload(exchange, "undeploy " + cage, () -> {
            DeployRecord record = admin.undeploy(cage, origin);
            HttpResponseStatus status = record.succeeded() ? HttpResponseStatus.OK
                    : record.reason() != null && record.reason().startsWith("no cage named") ? HttpResponseStatus.NOT_FOUND
                    : HttpResponseStatus.UNPROCESSABLE_ENTITY;
            return Responses.value(status, record);
        });
    }

    private FullHttpResponse metrics(String accept, Exchange exchange) {
        io.cages.host.admin.MetricsText metrics = admin.metrics(accept);
        if (metrics == null) {
            return error(HttpResponseStatus.NOT_FOUND, "not_found",
                    "metrics are switched off on this host (\"metrics\": {\"enabled\": false} in host.json)", exchange);
        }
        return Responses.bytes(HttpResponseStatus.OK, metrics.text().getBytes(java.nio.charset.StandardCharsets.UTF_8), metrics.contentType());
    }

    private FullHttpResponse history(String cage, String operation, String window, Exchange exchange) throws Exception {
        com.fasterxml.jackson.databind.JsonNode history;
        try {
            history = admin.metricsHistory(blankAsNull(cage), blankAsNull(operation), window);
        } catch (IllegalArgumentException e) {
            return error(HttpResponseStatus.BAD_REQUEST, "bad_request", e.getMessage(), exchange);
        }
        if (history == null) {
            return error(HttpResponseStatus.NOT_FOUND, "not_found",
                    "metrics are switched off on this host (\"metrics\": {\"enabled\": false} in host.json), so the console has no history", exchange);
        }
        return Responses.value(HttpResponseStatus.OK, history);
    }

    private static String blankAsNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private void runJob(String cage, String job, Exchange exchange) {
        offload(exchange, "run job " + job, () -> {
            io.cages.host.admin.JobRun run = admin.runJob(cage == null || cage.isEmpty() ? null : cage, job);
            if (run == null) {
                return error(HttpResponseStatus.NOT_FOUND, "not_found", "no job named '" + clip(job) + "'"
                        + (cage == null || cage.isEmpty() ? " (or several cages have one: add cage=<cage>)" : " for cage '" + clip(cage) + "'"), exchange);
            }
            return Responses.value(run.succeeded() ? HttpResponseStatus.OK : HttpResponseStatus.UNPROCESSABLE_ENTITY, run);
        });
    }

    /** Runs a blocking admin call on a virtual thread and answers with its result, or a 500 if it throws. */
    /** A durable-call operation: a typed error becomes its status (an unknown status 400, a database down 503). */
    private FullHttpResponse durable(Exchange exchange, Callable<FullHttpResponse> call) throws Exception {
        try {
            return call.call();
        } catch (NumberFormatException e) {
            return error(HttpResponseStatus.BAD_REQUEST, "bad_request", "limit must be a whole number", exchange);
        } catch (io.cages.api.CageException e) {
            return switch (e.code()) {
                case BAD_REQUEST -> error(HttpResponseStatus.BAD_REQUEST, "bad_request", e.getMessage(), exchange);
                case NOT_FOUND -> error(HttpResponseStatus.NOT_FOUND, "not_found", e.getMessage(), exchange);
                default -> error(HttpResponseStatus.SERVICE_UNAVAILABLE, "unavailable", e.getMessage(), exchange);
            };
        }
    }

    private void offload(Exchange exchange, String what, Callable<FullHttpResponse> call) {
        Runnable task = () -> {
            FullHttpResponse response;
            try {
                response = call.call();
            } catch (Exception | Error e) {
                LOG.error("admin call '{}' (request {}) failed", what, exchange.requestId, e);
                response = Responses.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal",
                        "admin call failed; the host log has the details under this request id", exchange.requestId);
            }
            respond(exchange, response);
        };
        ADMIN_THREADS.newThread(task).start();
    }

    private boolean allowed(HttpMethod method, String expected, Exchange exchange) {
        if (method.name().equals(expected)) {
            return true;
        }
        respond(exchange, methodNotAllowed(method.name(), expected, exchange.requestId));
        return false;
    }

    private static String originOf(ChannelHandlerContext ctx, Map<String, List<String>> query) {
        String origin = first(query, "origin");
        if (origin != null && !origin.isBlank()) {
            return origin;
        }
        SocketAddress address = ctx.channel().remoteAddress();
        String who = address instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : String.valueOf(address);
        return "admin-api:" + who;
    }

    private static String first(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static FullHttpResponse error(HttpResponseStatus status, String error, String message, Exchange exchange) {
        return Responses.error(status, error, message, exchange.requestId);
    }
}
