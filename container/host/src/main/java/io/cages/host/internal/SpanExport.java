package io.cages.host.internal;

import io.cages.host.HostConfig;
import io.cages.host.spi.TraceContext;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where finished spans go: {@link #NONE} unless tracing is configured (host.json {@code tracing}, or the
 * standard OTEL_* variables), then an {@link OtlpExporter}. The request path only compares with {@link #NONE};
 * nothing of the exporter (nor of the OpenTelemetry SDK it uses) is loaded unless one is made.
 */
interface SpanExport extends AutoCloseable {

    /** OTLP span kinds. */
    int SERVER = 2;
    int CLIENT = 3;

    SpanExport NONE = new SpanExport() {
        @Override
        public void export(TraceContext span, String name, int kind, long startEpochNanos, long endEpochNanos,
                           Map<String, String> attributes, String error) {
        }

        @Override
        public void close() {
        }
    };

    /**
     * One finished span. {@code error}: null when it succeeded, else what went wrong (its status message).
     * Never blocks; a span that cannot be kept (the queue full) is dropped and counted.
     */
    void export(TraceContext span, String name, int kind, long startEpochNanos, long endEpochNanos,
                Map<String, String> attributes, String error);

    @Override
    void close();

    /** The wall clock in nanoseconds since the epoch, as OTLP wants start and end times. */
    static long epochNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /**
     * The export {@code config} and the environment ask for: host.json's {@code tracing} first, then
     * {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT} (the full URL), {@code OTEL_EXPORTER_OTLP_ENDPOINT} (a base URL)
     * and {@code OTEL_TRACES_SAMPLER_ARG}; {@code OTEL_SDK_DISABLED=true} or {@code OTEL_TRACES_EXPORTER=none}
     * switch the environment's off. {@link #NONE} when nothing asks for one.
     */
    static SpanExport configured(HostConfig config, Function<String, String> env) {
        Logger log = LoggerFactory.getLogger(SpanExport.class);
        HostConfig.Tracing tracing = config.tracing();
        String endpoint = tracing.otlpEndpoint() != null ? tracesUrl(tracing.otlpEndpoint()) : null;
        Double ratio = tracing.sampleRatio();
        boolean envOff = "true".equalsIgnoreCase(env.apply("OTEL_SDK_DISABLED")) || "none".equalsIgnoreCase(env.apply("OTEL_TRACES_EXPORTER"));
        if (endpoint == null && !envOff) {
            String full = env.apply("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
            String base = env.apply("OTEL_EXPORTER_OTLP_ENDPOINT");
            endpoint = full != null && !full.isBlank() ? full.trim() : base != null && !base.isBlank() ? tracesUrl(base.trim()) : null;
            if (endpoint != null) {
                String protocol = env.apply("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL");
                protocol = protocol != null ? protocol : env.apply("OTEL_EXPORTER_OTLP_PROTOCOL");
                if (protocol != null && !protocol.equals("http/protobuf")) {
                    log.warn("OTEL_EXPORTER_OTLP_PROTOCOL={}: the host exports OTLP over HTTP with protobuf only; no spans are exported", protocol);
                    return NONE;
                }
            }
        }
        if (endpoint == null) {
            return NONE;
        }
        if (ratio == null && !envOff) {
            ratio = ratioFromEnv(env.apply("OTEL_TRACES_SAMPLER_ARG"), log);
        }
        String service = env.apply("OTEL_SERVICE_NAME");
        return new OtlpExporter(endpoint, ratio != null ? ratio : 1.0, service != null && !service.isBlank() ? service : "cages",
                config.name());
    }

    /** The traces URL of a collector's base URL: {@code /v1/traces} appended, unless it is there already. */
    static String tracesUrl(String base) {
        String trimmed = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        return trimmed.endsWith("/v1/traces") ? trimmed : trimmed + "/v1/traces";
    }

    private static Double ratioFromEnv(String value, Logger log) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            double ratio = Double.parseDouble(value.trim());
            if (ratio >= 0 && ratio <= 1) {
                return ratio;
            }
        } catch (NumberFormatException notANumber) {
            // reported below
        }
        log.warn("OTEL_TRACES_SAMPLER_ARG={} is not a ratio from 0 to 1; every trace is exported", value);
        return null;
    }
}
