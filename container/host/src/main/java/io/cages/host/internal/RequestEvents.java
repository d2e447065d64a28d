package io.cages.host.internal;

import io.cages.api.ErrorCode;
import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.Reply;
import java.util.concurrent.CompletableFuture;

/**
 * What the dispatcher tells the metrics about each request: refused before it could run, or finished (answered
 * and, if it ran, its handler returned). The one hook the request path has into metrics; {@link #NONE} when
 * metrics are switched off.
 */
interface RequestEvents {

    RequestEvents NONE = new RequestEvents() {
        @Override
        public void refused(InboundRequest in, boolean cageKnown, ErrorCode code) {
        }

        @Override
        public void finished(InboundRequest in, String version, CompletableFuture<Reply> result, long tookNanos) {
        }
    };

    /** Both {@code first} and {@code second} are told of every event, in that order. */
    static RequestEvents both(RequestEvents first, RequestEvents second) {
        return new RequestEvents() {
            @Override
            public void refused(InboundRequest in, boolean cageKnown, ErrorCode code) {
                first.refused(in, cageKnown, code);
                second.refused(in, cageKnown, code);
            }

            @Override
            public void finished(InboundRequest in, String version, CompletableFuture<Reply> result, long tookNanos) {
                first.finished(in, version, result, tookNanos);
                second.finished(in, version, result, tookNanos);
            }
        };
    }

    /**
     * A request answered without being admitted: no such cage, the host shutting down, its deadline passed on
     * arrival, or the cage's gate full. {@code cageKnown} is false when the cage name is not a deployed cage's
     * (it then comes from the caller and is not used as a tag).
     */
    void refused(InboundRequest in, boolean cageKnown, ErrorCode code);

    /**
     * An admitted request is done: {@code result} is complete; {@code version} is the one that ran it, or null
     * when it never ran (its deadline passed while it waited, or the cage was undeployed meanwhile);
     * {@code tookNanos} from its admission to now.
     */
    void finished(InboundRequest in, String version, CompletableFuture<Reply> result, long tookNanos);
}
