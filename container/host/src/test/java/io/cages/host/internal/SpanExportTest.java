package io.cages.host.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.host.HostConfig;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which export host.json and the OTEL_* environment ask for; the spans the OTLP exporter is handed. */
class SpanExportTest {

    private static final HostConfig PLAIN = HostConfig.defaults().withName("h1");

    @Test
    void nothingConfiguredMeansNoExport() {
        assertSame(SpanExport.NONE, SpanExport.configured(PLAIN, Map.<String, String>of()::get));
    }

    @Test
    void theEnvironmentCanAskForOneAndSwitchItOff() {
        SpanExport fromEnv = SpanExport.configured(PLAIN, Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9")::get);
        try {
            assertTrue(fromEnv instanceof OtlpExporter);
        } finally {
            fromEnv.close();
        }
        assertSame(SpanExport.NONE, SpanExport.configured(PLAIN, Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9",
                "OTEL_TRACES_EXPORTER", "none")::get));
        assertSame(SpanExport.NONE, SpanExport.configured(PLAIN, Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9",
                "OTEL_SDK_DISABLED", "true")::get));
        assertSame(SpanExport.NONE, SpanExport.configured(PLAIN, Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4317",
                "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")::get), "gRPC is not spoken: nothing rather than posts that fail");
    }

    @Test
    void theTracesPathIsAppendedToABaseUrl() {
        assertEquals("http://c:4318/v1/traces", SpanExport.tracesUrl("http://c:4318"));
        assertEquals("http://c:4318/v1/traces", SpanExport.tracesUrl("http://c:4318/"));
        assertEquals("http://c:4318/v1/traces", SpanExport.tracesUrl("http://c:4318/v1/traces"));
    }

    @Test
    void aRatioOfZeroExportsNothingAndSamplingFollowsTheTraceId() {
        OtlpExporter none = new OtlpExporter("http://127.0.0.1:9/v1/traces", 0.0, "cages", "h1");
        OtlpExporter half = new OtlpExporter("http://127.0.0.1:9/v1/traces", 0.5, "cages", "h1");
        try {
            io.cages.host.spi.TraceContext low = new io.cages.host.spi.TraceContext("4bf92f3577b34da6" + "0000000000000001",
                    "00f067aa0ba902b7", null, "01", null);
            io.cages.host.spi.TraceContext high = new io.cages.host.spi.TraceContext("4bf92f3577b34da6" + "7fffffffffffffff",
                    "00f067aa0ba902b7", null, "01", null);
            assertEquals(0, encodedSpans(none, low));
            assertEquals(1, encodedSpans(half, low));
            assertEquals(0, encodedSpans(half, high));
            assertEquals(0, encodedSpans(half, new io.cages.host.spi.TraceContext(low.traceId(), low.spanId(), null, "00", null)),
                    "the caller's not-sampled flag holds");
        } finally {
            none.close();
            half.close();
        }
    }

    private static int encodedSpans(OtlpExporter exporter, io.cages.host.spi.TraceContext span) {
        return exporter.wouldExport(span) ? 1 : 0;
    }

    @Test
    void theExporterGetsTheHostsOwnIdsParentKindAttributesAndStatus() {
        OtlpExporter exporter = new OtlpExporter("http://127.0.0.1:9/v1/traces", 1.0, "cages", "h1");
        try {
            io.cages.host.spi.TraceContext served = new io.cages.host.spi.TraceContext("4bf92f3577b34da6a3ce929d0e0e4736",
                    "00f067aa0ba902b7", "b7ad6b7169203331", "01", "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
            io.cages.host.spi.TraceContext root = new io.cages.host.spi.TraceContext("4bf92f3577b34da6a3ce929d0e0e4736",
                    "b7ad6b7169203331", null, "01", null);
            List<SpanData> data = exporter.spanData(List.of(
                    new OtlpExporter.Span(served, "front/go", SpanExport.SERVER, 100, 250, Map.of("cages.cage", "front"), "boom"),
                    new OtlpExporter.Span(root, "middle/relay", SpanExport.CLIENT, 90, 300, Map.of(), null)));

            SpanData server = data.get(0);
            assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", server.getTraceId());
            assertEquals("00f067aa0ba902b7", server.getSpanId());
            assertEquals("b7ad6b7169203331", server.getParentSpanId());
            assertTrue(server.getSpanContext().isSampled());
            assertEquals(Map.of("congo", "t61rcWkgMzE", "rojo", "00f067aa0ba902b7"), server.getSpanContext().getTraceState().asMap());
            assertEquals("front/go", server.getName());
            assertEquals(SpanKind.SERVER, server.getKind());
            assertEquals(100, server.getStartEpochNanos());
            assertEquals(250, server.getEndEpochNanos());
            assertTrue(server.hasEnded());
            assertEquals(Attributes.of(AttributeKey.stringKey("cages.cage"), "front"), server.getAttributes());
            assertEquals(StatusData.create(StatusCode.ERROR, "boom"), server.getStatus());
            assertEquals("io.cages.host", server.getInstrumentationScopeInfo().getName());
            assertEquals("cages", server.getResource().getAttribute(AttributeKey.stringKey("service.name")));
            assertEquals("h1", server.getResource().getAttribute(AttributeKey.stringKey("service.instance.id")));
            assertEquals("h1", server.getResource().getAttribute(AttributeKey.stringKey("host.name")));
            assertEquals("opentelemetry", server.getResource().getAttribute(AttributeKey.stringKey("telemetry.sdk.name")),
                    "the SDK's default resource under the host's");

            SpanData client = data.get(1);
            assertFalse(client.getParentSpanContext().isValid(), "a root has no parent");
            assertEquals(SpanKind.CLIENT, client.getKind());
            assertEquals(StatusData.unset(), client.getStatus());
            assertTrue(client.getSpanContext().getTraceState().isEmpty());
        } finally {
            exporter.close();
        }
    }
}
