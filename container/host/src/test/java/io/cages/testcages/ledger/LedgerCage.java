package io.cages.testcages.ledger;

import io.cages.api.CageException;
import io.cages.api.CageHandler;
import io.cages.api.Request;
import io.cages.api.Response;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Test cage with a non-idempotent operation: {@code record?id=X&ms=N} takes N ms, then books X once;
 * {@code seen} lists what this copy booked. A call that ran twice shows up here twice.
 */
public final class LedgerCage implements CageHandler {

    private final ConcurrentLinkedQueue<String> booked = new ConcurrentLinkedQueue<>();

    @Override
    public Response handle(Request request) throws Exception {
        return switch (request.operation()) {
            case "record" -> {
                String id = request.param("id");
                Thread.sleep(Long.parseLong(request.param("ms") == null ? "0" : request.param("ms")));
                booked.add(id);
                yield Response.of(Map.of("booked", id));
            }
            case "seen" -> Response.of(Map.of("booked", List.copyOf(booked)));
            default -> throw CageException.notFound("no operation " + request.operation());
        };
    }
}
