package io.cages.host.internal;

import io.cages.host.spi.TraceContext;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.sdk.common.InstrumentationLibraryInfo;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.util.List;
import java.util.Map;

/**
 * One of the host's finished spans as the OpenTelemetry SDK's exporters take it. The SDK's own spans make their
 * own ids; the host's spans must keep the ids it already sent over HTTP, RPC and JMS, or the parent links break
 * at every hop. So the host keeps its spans and hands them to the SDK's OTLP exporter as {@link SpanData}.
 * Only {@link OtlpExporter} makes these: nothing of the SDK loads unless tracing is configured.
 */
record HostSpanData(SpanContext getSpanContext, SpanContext getParentSpanContext, String getName, SpanKind getKind,
                    long getStartEpochNanos, long getEndEpochNanos, Attributes getAttributes, StatusData getStatus,
                    Resource getResource) implements SpanData {

    static final InstrumentationScopeInfo SCOPE = InstrumentationScopeInfo.create("io.cages.host");

    /** {@code kind}: OTLP's number, as {@link SpanExport} has it (2 server, 3 client). */
    static HostSpanData of(TraceContext span, String name, int kind, long startEpochNanos, long endEpochNanos,
                           Map<String, String> attributes, String error, Resource resource) {
        AttributesBuilder builder = Attributes.builder();
        attributes.forEach(builder::put);
        return new HostSpanData(spanContext(span), parentContext(span), name, kind(kind), startEpochNanos, endEpochNanos,
                builder.build(), error == null ? StatusData.unset() : StatusData.create(io.opentelemetry.api.trace.StatusCode.ERROR, error),
                resource);
    }

    /** The span's own context, its tracestate parsed by the SDK's W3C propagator (the host keeps it as received). */
    private static SpanContext spanContext(TraceContext span) {
        if (span.state() == null) {
            return SpanContext.create(span.traceId(), span.spanId(), TraceFlags.getSampled(), TraceState.getDefault());
        }
        Map<String, String> headers = Map.of(TraceContext.TRACEPARENT, span.traceparent(), TraceContext.TRACESTATE, span.state());
        SpanContext parsed = Span.fromContext(W3CTraceContextPropagator.getInstance().extract(Context.root(), headers, HEADERS))
                .getSpanContext();
        return SpanContext.create(span.traceId(), span.spanId(), TraceFlags.getSampled(), parsed.getTraceState());
    }

    private static SpanContext parentContext(TraceContext span) {
        return span.parentSpanId() == null ? SpanContext.getInvalid()
                : SpanContext.create(span.traceId(), span.parentSpanId(), TraceFlags.getSampled(), TraceState.getDefault());
    }

    private static SpanKind kind(int otlpKind) {
        return switch (otlpKind) {
            case SpanExport.SERVER -> SpanKind.SERVER;
            case SpanExport.CLIENT -> SpanKind.CLIENT;
            case 4 -> SpanKind.PRODUCER;
            case 5 -> SpanKind.CONSUMER;
            default -> SpanKind.INTERNAL;
        };
    }

    private static final TextMapGetter<Map<String, String>> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    @Override
    public List<EventData> getEvents() {
        return List.of();
    }

    @Override
    public List<LinkData> getLinks() {
        return List.of();
    }

    @Override
    public boolean hasEnded() {
        return true;
    }

    @Override
    public int getTotalRecordedEvents() {
        return 0;
    }

    @Override
    public int getTotalRecordedLinks() {
        return 0;
    }

    @Override
    public int getTotalAttributeCount() {
        return getAttributes.size();
    }

    @Override
    public InstrumentationScopeInfo getInstrumentationScopeInfo() {
        return SCOPE;
    }

    @Override
    @SuppressWarnings("deprecation") // still abstract in SpanData; the exporter reads the scope above
    public InstrumentationLibraryInfo getInstrumentationLibraryInfo() {
        return InstrumentationLibraryInfo.create(SCOPE.getName(), null);
    }
}
