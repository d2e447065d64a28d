package io.cages.host.internal;

import io.cages.host.spi.TraceContext;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
 * Exports spans with OTLP over HTTP, protobuf encoded (the {@code ExportTraceServiceRequest} of
 * opentelemetry-proto), to a collector or any OTLP receiver. Spans wait in a bounded queue; one daemon thread
 * sends them in batches, every second or at {@value #BATCH} spans, so a request never waits for the collector.
 * A full queue drops spans (counted, logged once a minute); a failed post is logged and its batch dropped.
 *
 * <p>Why no OpenTelemetry SDK: the host already makes its own ids and carries them (W3C trace context on HTTP,
 * RPC and JMS); the spans it exports must carry the same ids, or parent links break at every hop. Encoding the
 * few messages OTLP needs is a hundred lines, loads nothing when tracing is off, and adds no jar to the host.
 */
final class OtlpExporter implements SpanExport {

    private static final Logger LOG = LoggerFactory.getLogger(OtlpExporter.class);
    static final int BATCH = 512;
    private static final int QUEUE = 8192;
    private static final long FLUSH_MS = 1000;
    private static final long REPORT_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    private record Span(TraceContext context, String name, int kind, long start, long end, Map<String, String> attributes,
                        String error) {
    }

    private final URI endpoint;
    private final double ratio;
    private final byte[] resource;
    private final HttpClient client;
    private final BlockingQueue<Span> queue = new ArrayBlockingQueue<>(QUEUE);
    private final AtomicLong dropped = new AtomicLong();
    private final Thread sender;
    private volatile boolean closed;
    private long lastReportNanos = System.nanoTime() - REPORT_EVERY_NANOS;

    OtlpExporter(String endpoint, double ratio, String serviceName, String hostName) {
        this.endpoint = URI.create(endpoint);
        this.ratio = ratio;
        this.resource = resource(serviceName, hostName);
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
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
        byte[] body = request(batch);
        try {
            HttpResponse<Void> response = client.send(HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/x-protobuf")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 != 2) {
                LOG.warn("OTLP export to {} answered {}; {} spans dropped", endpoint, response.statusCode(), batch.size());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("OTLP export to {} failed: {}; {} spans dropped", endpoint, e.toString(), batch.size());
        }
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

    // ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
    // ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
    // ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
    // Span { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4; string name = 5;
    //        SpanKind kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8;
    //        repeated KeyValue attributes = 9; Status status = 15; }
    // Status { string message = 2; StatusCode code = 3; }  KeyValue { string key = 1; AnyValue value = 2; }
    // AnyValue { string string_value = 1; }  Resource { repeated KeyValue attributes = 1; }

    byte[] request(List<Span> spans) {
        Proto scope = new Proto().message(1, new Proto().string(1, "io.cages.host"));
        for (Span span : spans) {
            scope.message(2, span(span));
        }
        Proto resourceSpans = new Proto().bytes(1, resource).message(2, scope);
        return new Proto().message(1, resourceSpans).toByteArray();
    }

    private static Proto span(Span s) {
        TraceContext c = s.context();
        Proto span = new Proto().bytes(1, hex(c.traceId())).bytes(2, hex(c.spanId()));
        if (c.state() != null) {
            span.string(3, c.state());
        }
        if (c.parentSpanId() != null) {
            span.bytes(4, hex(c.parentSpanId()));
        }
        span.string(5, s.name()).varint(6, s.kind()).fixed64(7, s.start()).fixed64(8, s.end());
        s.attributes().forEach((key, value) -> span.message(9, keyValue(key, value)));
        Proto status = new Proto();
        if (s.error() != null) {
            status.string(2, s.error()).varint(3, 2); // STATUS_CODE_ERROR
        }
        return span.message(15, status);
    }

    private static byte[] resource(String serviceName, String hostName) {
        return new Proto().message(1, keyValue("service.name", serviceName))
                .message(1, keyValue("service.instance.id", hostName))
                .message(1, keyValue("host.name", hostName)).toByteArray();
    }

    private static Proto keyValue(String key, String value) {
        return new Proto().string(1, key).message(2, new Proto().string(1, value));
    }

    private static byte[] hex(String digits) {
        byte[] bytes = new byte[digits.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Integer.parseInt(digits, 2 * i, 2 * i + 2, 16);
        }
        return bytes;
    }

    /** The protobuf wire format, as far as OTLP's traces need it: varints, fixed64s, and length-delimited fields. */
    static final class Proto {

        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto varint(int field, long value) {
            tag(field, 0);
            raw(value);
            return this;
        }

        Proto fixed64(int field, long value) {
            tag(field, 1);
            for (int i = 0; i < 8; i++) {
                out.write((int) (value >>> (8 * i)));
            }
            return this;
        }

        Proto bytes(int field, byte[] value) {
            tag(field, 2);
            raw(value.length);
            out.writeBytes(value);
            return this;
        }

        Proto string(int field, String value) {
            return bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        Proto message(int field, Proto value) {
            return bytes(field, value.toByteArray());
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }

        private void tag(int field, int wireType) {
            raw(((long) field << 3) | wireType);
        }

        private void raw(long value) {
            while ((value & ~0x7FL) != 0) {
                out.write((int) ((value & 0x7F) | 0x80));
                value >>>= 7;
            }
            out.write((int) value);
        }
    }
}
