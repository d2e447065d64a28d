package io.cages.host.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.host.HostConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which export host.json and the OTEL_* environment ask for; the OTLP encoding of a request. */
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
    void encodesTheWireFormatOfVarintsAndFields() {
        OtlpExporter.Proto proto = new OtlpExporter.Proto().varint(6, 300).string(5, "a");
        assertEquals(List.of(0x30, 0xAC, 0x02, 0x2A, 0x01, 0x61), toInts(proto.toByteArray()));
    }

    private static List<Integer> toInts(byte[] bytes) {
        java.util.ArrayList<Integer> ints = new java.util.ArrayList<>();
        for (byte b : bytes) {
            ints.add(b & 0xFF);
        }
        return ints;
    }
}
