package io.cages.host.internal;

import io.cages.host.spi.TraceContext;
import org.slf4j.MDC;

/**
 * Puts a request's trace where the code it runs finds it: {@link TraceContext#current()} for the calls and
 * messages it sends, and SLF4J's MDC for every line it (or its cage, through {@code context.logger()}) logs.
 * Both are thread-local, and both mirror each other, so putting back the previous context restores both.
 */
final class RequestTrace {

    private RequestTrace() {
    }

    /** Makes {@code trace} this thread's; returns the previous one for {@link #exit}. */
    static TraceContext enter(TraceContext trace) {
        TraceContext previous = TraceContext.enter(trace);
        MDC.put(TraceContext.MDC_TRACE_ID, trace.traceId());
        MDC.put(TraceContext.MDC_SPAN_ID, trace.spanId());
        return previous;
    }

    /** Puts back what {@link #enter} returned (null: the thread had no trace, and has none again). */
    static void exit(TraceContext previous) {
        TraceContext.restore(previous);
        if (previous == null) {
            MDC.remove(TraceContext.MDC_TRACE_ID);
            MDC.remove(TraceContext.MDC_SPAN_ID);
        } else {
            MDC.put(TraceContext.MDC_TRACE_ID, previous.traceId());
            MDC.put(TraceContext.MDC_SPAN_ID, previous.spanId());
        }
    }
}
