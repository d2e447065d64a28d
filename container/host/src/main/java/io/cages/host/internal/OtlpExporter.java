package io.cages.host.internal;

import io.cages.host.spi.TraceContext;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exports spans with the OpenTelemetry SDK's OTLP exporter (http/protobuf, sent with the JDK's HttpClient) to a
 * collector or any OTLP receiver. Spans wait in a bounded queue; one daemon thread hands them to the exporter in
 * batches, every second or at {@value #BATCH} spans, so a request never waits for the collector. A full queue
 * drops spans (counted, logged once a minute); a failed export is logged and its batch dropped.
 *
 * <p>The host makes its own ids and carries them (W3C trace context on HTTP, RPC and JMS); the spans it exports
 * must carry the same ids, or parent links break at every hop. So spans are not made by the SDK's tracer (which
 * makes its own ids, and whose BatchSpanProcessor takes only its own spans): the host's spans go to the exporter
 * as {@link HostSpanData}. This class and that one are the only ones that name the SDK, and this one is made only
 * when tracing is configured, so a host without tracing loads nothing of it.
 */
final class OtlpExporter implements SpanExport {

    private static final Logger LOG = LoggerFactory.getLogger(OtlpExporter.class);
    static final int BATCH = 512;
    private static final int QUEUE = 8192;
    private static final long FLUSH_MS = 1000;
    private static final long EXPORT_TIMEOUT_SECONDS = 10;
    private static final long REPORT_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    record Span(TraceContext context, String name, int kind, long start, long end, Map<String, String> attributes,
                        String error) {
    }

    private final String endpoint;
    private final double ratio;
    private final Resource resource;
    private final SpanExporter exporter;
    private final BlockingQueue<Span> queue = new ArrayBlockingQueue<>(QUEUE);
    private final AtomicLong dropped = new AtomicLong();
    private final Thread sender;
    private volatile boolean closed;
    private long lastReportNanos = System.nanoTime() - REPORT_EVERY_NANOS;

    OtlpExporter(String endpoint, double ratio, String serviceName, String hostName) {
        this.endpoint = endpoint;
        this.ratio = ratio;
        // The SDK's default resource (telemetry.sdk.*, and service.name which ours replaces) and the host's own.
        this.resource = Resource.getDefault().merge(Resource.create(Attributes.builder()
                .put("service.name", serviceName).put("service.instance.id", hostName).put("host.name", hostName).build()));
        // A no-op meter provider: the exporter's own metrics would otherwise go to GlobalOpenTelemetry.
        this.exporter = OtlpHttpSpanExporter.builder().setEndpoint(endpoint).setConnectTimeout(Duration.ofSeconds(5))
                .setTimeout(Duration.ofSeconds(EXPORT_TIMEOUT_SECONDS)).setMeterProvider(MeterProvider::noop).build();
        this.sender = Thread.ofPlatform().daemon().name("cages-otlp-export").start(this::run);
        LOG.info("exporting spans with OTLP (http/protobuf) to {}, sample ratio {}", endpoint, ratio);
    }

    @Override
    public void export(TraceContext span, String name, int kind, long startEpochNanos, long endEpochNanos,
                       Map<String, String> attributes, String error) {
        if (closed || !wouldExport(span)) {
            return;
        }
        if (!queue.offer(new Span(span, name, kind, startEpochNanos, endEpochNanos, attributes, error))) {
            dropped.incrementAndGet();
        }
    }

    /** Sampled by its caller (or a root), a W3C trace, and within the ratio. */
    boolean wouldExport(TraceContext span) {
        return span.sampled() && span.isW3c() && sampled(span.traceId());
    }

    /**
     * OpenTelemetry's TraceIdRatioBased: the trace's lower 8 bytes against the ratio, so every host with the
     * same ratio keeps or drops the same traces whole.
     */
    private boolean sampled(String traceId) {
        if (ratio >= 1) {
            return true;
        }
        long low = Long.parseUnsignedLong(traceId.substring(16), 16);
        return Math.abs(low == Long.MIN_VALUE ? Long.MAX_VALUE : low) < (long) (ratio * Long.MAX_VALUE);
    }

    @Override
    public void close() {
        closed = true;
        sender.interrupt();
        try {
            sender.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        exporter.shutdown().join(5, TimeUnit.SECONDS);
    }

    private void run() {
        List<Span> batch = new ArrayList<>(BATCH);
        while (true) {
            try {
                Span first = queue.poll(FLUSH_MS, TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, BATCH - 1);
                }
            } catch (InterruptedException e) {
                queue.drainTo(batch); // closing: what is queued goes out in one last post
                send(batch);
                return;
            }
            if (!batch.isEmpty()) {
                send(batch);
                batch.clear();
            }
            reportDrops();
        }
    }

    private void send(List<Span> batch) {
        if (batch.isEmpty()) {
            return;
        }
        CompletableResultCode result = exporter.export(spanData(batch)).join(EXPORT_TIMEOUT_SECONDS + 1, TimeUnit.SECONDS);
        if (!result.isSuccess()) {
            Throwable failure = result.getFailureThrowable();
            LOG.warn("OTLP export to {} failed{}; {} spans dropped", endpoint, failure != null ? ": " + failure : "", batch.size());
        }
    }

    List<SpanData> spanData(List<Span> batch) {
        List<SpanData> data = new ArrayList<>(batch.size());
        for (Span s : batch) {
            data.add(HostSpanData.of(s.context(), s.name(), s.kind(), s.start(), s.end(), s.attributes(), s.error(), resource));
        }
        return data;
    }

    private void reportDrops() {
        long now = System.nanoTime();
        if (now - lastReportNanos >= REPORT_EVERY_NANOS) {
            long lost = dropped.getAndSet(0);
            if (lost > 0) {
                LOG.warn("{} spans dropped: more finished than the OTLP export could send", lost);
            }
            lastReportNanos = now;
        }
    }
}
