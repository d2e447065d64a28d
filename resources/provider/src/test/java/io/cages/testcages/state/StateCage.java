package io.cages.testcages.state;

import io.cages.api.CageContext;
import io.cages.api.CageException;
import io.cages.api.CageHandler;
import io.cages.api.CageState;
import io.cages.api.Request;
import io.cages.api.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test cage on cage state, built into a bundle by the tests (it sees only io.cages.api and java.*).
 * {@code inc?key=&field=} increments; {@code put?key=&fields=} sets fields; {@code get?key=}; {@code remove?key=&field=};
 * {@code delete?key=}; {@code tx?key=&fail=&db=} increments and puts in a transaction (with a part on {@code db} between them when
 * given) that fails on request;
 * {@code bad?case=} makes one kind of bad call; {@code hold?file=&key=&field=} waits for the file, then increments
 * (a request in flight across a swap); {@code later?go=&out=&key=} writes from a thread of its own, outside any
 * request, once the file {@code go} exists, and writes what happened to {@code out}.
 */
public final class StateCage implements CageHandler {

    private volatile CageContext context;

    @Override
    public void start(CageContext context) {
        this.context = context;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Response handle(Request request) throws Exception {
        CageState state = context.state();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("version", context.version());
        Map<String, Object> p = request.params();
        String key = (String) p.getOrDefault("key", "k");
        switch (request.operation()) {
            case "inc" -> out.put("value", state.increment(key, (String) p.getOrDefault("field", "n"), 1));
            case "put" -> state.put(key, (Map<String, Object>) p.get("fields"));
            case "get" -> out.put("fields", state.get(key));
            case "remove" -> state.remove(key, (String) p.get("field"));
            case "delete" -> state.delete(key);
            case "tx" -> out.put("results", withSql(context.transaction().state(s -> s.increment(key, "n", 1)), (String) p.get("db"))
                    .state(s -> {
                        s.put(key, Map.of("last", request.id()));
                        if (Boolean.TRUE.equals(p.get("fail"))) {
                            throw CageException.badRequest("failing on purpose");
                        }
                        return null;
                    })
                    .commit());
            case "bad" -> bad(state, (String) p.get("case"));
            case "hold" -> {
                Path file = Path.of((String) p.get("file"));
                while (!Files.exists(file)) {
                    Thread.sleep(5);
                }
                out.put("value", state.increment(key, "n", 1));
            }
            case "later" -> {
                Path go = Path.of((String) p.get("go"));
                Path result = Path.of((String) p.get("out"));
                Thread.ofPlatform().daemon().start(() -> {
                    String what;
                    try {
                        while (!Files.exists(go)) {
                            Thread.sleep(5);
                        }
                        what = "ok " + state.increment(key, "n", 1);
                    } catch (CageException e) {
                        what = e.code() + ": " + e.getMessage();
                    } catch (Exception e) {
                        what = e.toString();
                    }
                    try {
                        // Whole or not at all: the test reads the file as soon as it exists.
                        Path partial = result.resolveSibling(result.getFileName() + ".partial");
                        Files.writeString(partial, what);
                        Files.move(partial, result, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                    } catch (java.io.IOException ignored) {
                        // the test times out and says so
                    }
                });
            }
            default -> throw CageException.notFound("no operation " + request.operation());
        }
        return Response.of(out);
    }

    /** Adds a part on the database {@code db} answering 7, when given: state parts around another resource's. */
    private static io.cages.api.Transaction withSql(io.cages.api.Transaction t, String db) {
        return db == null ? t : t.sql(db, c -> 7);
    }

    private static void bad(CageState state, String which) throws CageException {
        switch (which) {
            case "emptyKey" -> state.get("");
            case "nullKey" -> state.put(null, Map.of("a", 1));
            case "longKey" -> state.get("k".repeat(201));
            case "controlField" -> state.put("k", Map.of("a\nb", 1));
            case "notJson" -> state.put("k", Map.of("when", Instant.EPOCH));
            case "nestedNotJson" -> state.put("k", Map.of("list", List.of(1, Map.of("deep", new Object()))));
            case "nan" -> state.put("k", Map.of("x", Double.NaN));
            case "tooLarge" -> state.put("k", Map.of("big", "x".repeat(70_000)));
            case "incrementText" -> {
                state.put("k", Map.of("name", "text"));
                state.increment("k", "name", 1);
            }
            default -> throw CageException.notFound("no case " + which);
        }
    }
}
