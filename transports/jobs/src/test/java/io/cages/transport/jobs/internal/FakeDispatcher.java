package io.cages.transport.jobs.internal;

import io.cages.api.CageException;
import io.cages.host.spi.Dispatcher;
import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.Reply;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * Records every request. By default each one stays in flight until the test completes it ({@link #complete});
 * with an answer function it is answered at once (null: ok; an exception: that failure).
 */
final class FakeDispatcher implements Dispatcher {

    record Call(InboundRequest request, CompletableFuture<Reply> reply) {
    }

    final List<Call> calls = new CopyOnWriteArrayList<>();
    private final Function<InboundRequest, CageException> answer;

    FakeDispatcher() {
        this(null);
    }

    FakeDispatcher(Function<InboundRequest, CageException> answer) {
        this.answer = answer;
    }

    @Override
    public String newRequestId() {
        return "r" + calls.size();
    }

    @Override
    public CompletableFuture<Reply> dispatch(InboundRequest request) {
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        calls.add(new Call(request, reply));
        if (answer != null) {
            CageException failure = answer.apply(request);
            if (failure == null) {
                reply.complete(ok());
            } else {
                reply.completeExceptionally(failure);
            }
        }
        return reply;
    }

    void complete(int call) {
        calls.get(call).reply().complete(ok());
    }

    List<String> ids() {
        return calls.stream().map(c -> c.request().id()).toList();
    }

    static Reply ok() {
        return new Reply(null, null, null, Map.of(), "1.0.0");
    }
}
