package io.cages.transport.http.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cages.host.spi.Dispatcher;
import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.Reply;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/** A dispatcher that records requests and answers as the test says (by default: {"ok":true} at once). */
final class FakeDispatcher implements Dispatcher {

    static final ObjectMapper JSON = new ObjectMapper();

    final List<InboundRequest> requests = new CopyOnWriteArrayList<>();
    private final AtomicLong ids = new AtomicLong();
    volatile Function<InboundRequest, CompletableFuture<Reply>> behaviour =
            in -> CompletableFuture.completedFuture(json("{\"ok\":true}"));

    @Override
    public String newRequestId() {
        return "gen-" + ids.incrementAndGet();
    }

    @Override
    public CompletableFuture<Reply> dispatch(InboundRequest request) {
        requests.add(request);
        return behaviour.apply(request);
    }

    InboundRequest last() {
        if (requests.isEmpty()) {
            throw new AssertionError("no request was dispatched");
        }
        return requests.get(requests.size() - 1);
    }

    static Reply json(String json) {
        return json(json, Map.of());
    }

    static Reply json(String json, Map<String, String> attributes) {
        try {
            JsonNode tree = JSON.readTree(json);
            return new Reply(tree, null, null, attributes, "1.2.3");
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
