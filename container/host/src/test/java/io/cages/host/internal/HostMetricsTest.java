package io.cages.host.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.api.CageException;
import io.cages.api.ErrorCode;
import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.Reply;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Tags of the request meters: transport from the caller, outcome from the answer, callers' names kept out. */
class HostMetricsTest {

    private static InboundRequest from(String caller, String cage, String operation) {
        return new InboundRequest("id", cage, operation, null, null, null, null, caller, null);
    }

    private static CompletableFuture<Reply> failed(Throwable t) {
        return CompletableFuture.failedFuture(t);
    }

    @Test
    void transportsComeFromTheCaller() {
        assertEquals("http", HostMetrics.transport("http:127.0.0.1:5000"));
        assertEquals("rpc", HostMetrics.transport("rpc:10.0.0.2:7000"));
        assertEquals("jms", HostMetrics.transport("jms:billing.charges"));
        assertEquals("job", HostMetrics.transport("job:nightly"));
        assertEquals("folder", HostMetrics.transport("folder:inbox"));
        assertEquals("local", HostMetrics.transport("gateway"));
        assertEquals("local", HostMetrics.transport(from("gateway", "svc", "get")), "a call by name on this host");
        assertEquals("rpc", HostMetrics.transport(new InboundRequest("id", "svc", "get", null, null, null,
                java.util.Map.of(InboundRequest.TRANSPORT, "rpc"), "gateway", null)), "a call by name that came over RPC");
    }

    @Test
    void outcomesAreOkOrTheErrorCode() {
        assertEquals("ok", HostMetrics.outcome(CompletableFuture.completedFuture(null)));
        assertEquals("bad_request", HostMetrics.outcome(failed(CageException.badRequest("x"))));
        assertEquals("deadline_exceeded", HostMetrics.outcome(failed(new java.util.concurrent.CompletionException(CageException.deadlineExceeded("x")))));
        assertEquals("internal", HostMetrics.outcome(failed(new IllegalStateException("x"))));
        CompletableFuture<Reply> cancelled = new CompletableFuture<>();
        cancelled.cancel(false);
        assertEquals("unavailable", HostMetrics.outcome(cancelled));
    }

    @Test
    void eachTransportHasItsOwnNameBesideTheCommonOneAndUnknownCagesAreNotTags() {
        try (HostMetrics metrics = new HostMetrics("h", () -> null)) {
            metrics.finished(from("rpc:10.0.0.2:7000", "svc", "get"), "2.0.0", CompletableFuture.completedFuture(null), 1_000_000);
            metrics.finished(from("jms:q", "svc", "get"), "2.0.0", failed(CageException.notFound("x")), 1_000_000);
            metrics.refused(from("http:1.2.3.4:5", "no-such-cage-from-a-caller", "x"), false, ErrorCode.NOT_FOUND);
            metrics.finished(new InboundRequest("id", "svc", "put", null, null, null, java.util.Map.of(InboundRequest.TRANSPORT, "rpc"),
                    "gateway", null), "2.0.0", CompletableFuture.completedFuture(null), 1_000_000);
            metrics.finished(from("gateway", "svc", "put"), "2.0.0", CompletableFuture.completedFuture(null), 1_000_000);
            String text = metrics.scrape(null).text();
            assertTrue(text.contains("rpc_server_call_duration_seconds_count{cage=\"svc\",host=\"h\",operation=\"get\",outcome=\"ok\",transport=\"rpc\",version=\"2.0.0\"} 1"), text);
            assertTrue(text.contains("cages_request_duration_seconds_count{cage=\"svc\",host=\"h\",operation=\"get\",outcome=\"not_found\",transport=\"jms\",version=\"2.0.0\"} 1"), text);
            assertTrue(!text.contains("http_server_request_duration_seconds_count"), text);
            assertTrue(text.contains("cages_requests_refused_total{cage=\"_other\",host=\"h\",operation=\"_other\",reason=\"not_found\",transport=\"http\"} 1"), text);
            assertTrue(!text.contains("no-such-cage-from-a-caller"), "a name a caller made up is no tag");
            assertTrue(text.contains("rpc_server_call_duration_seconds_count{cage=\"svc\",host=\"h\",operation=\"put\",outcome=\"ok\",transport=\"rpc\",version=\"2.0.0\"} 1"),
                    "a call by name that came over RPC: " + text);
            assertTrue(text.contains("cages_request_duration_seconds_count{cage=\"svc\",host=\"h\",operation=\"put\",outcome=\"ok\",transport=\"local\",version=\"2.0.0\"} 1"),
                    "a call by name on this host: " + text);
        }
    }
}
