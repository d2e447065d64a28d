package io.cages.testcages.ledger;

import io.cages.api.CageException;
import io.cages.api.CageHandler;
import io.cages.api.Request;
import io.cages.api.Response;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Test cage with a non-idempotent operation: {@code record?id=X&ms=N} notes X as started on entry, takes
 * N ms, then books X once; {@code seen} lists what this copy started and booked, in order. A call that ran
 * twice shows up twice; a call cut off mid-way (its host killed) is started but never booked, so the calls
 * in flight on a host can be counted just before it dies.
 */
public final class LedgerCage implements CageHandler {

    private final ConcurrentLinkedQueue<String> started = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> booked = new ConcurrentLinkedQueue<>();

    @Override
    public Response handle(Request request) throws Exception {
        return switch (request.operation()) {
            case "record" -> {
                String id = request.param("id");
                started.add(id);
                Thread.sleep(Long.parseLong(request.param("ms") == null ? "0" : request.param("ms")));
                booked.add(id);
                yield Response.of(Map.of("booked", id));
            }
            case "seen" -> Response.of(Map.of("started", List.copyOf(started), "booked", List.copyOf(booked)));
            default -> throw CageException.notFound("no operation " + request.operation());
        };
    }
}
