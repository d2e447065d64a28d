package io.cages.testcages.metered;

import io.cages.api.CageException;
import io.cages.api.CageHandler;
import io.cages.api.Request;
import io.cages.api.Response;
import java.util.Map;

/** Test cage for the metrics test: {@code ok} answers, {@code bad} is a bad request, {@code sleep?ms=} holds the request. */
public final class MeteredCage implements CageHandler {

    @Override
    public Response handle(Request request) throws Exception {
        switch (request.operation()) {
            case "ok":
                return Response.of(Map.of("ok", true));
            case "bad":
                throw CageException.badRequest("bad on purpose");
            case "sleep":
                Thread.sleep(Long.parseLong(request.param("ms")));
                return Response.of(Map.of("slept", request.param("ms")));
            default:
                throw CageException.notFound("no operation " + request.operation());
        }
    }
}
