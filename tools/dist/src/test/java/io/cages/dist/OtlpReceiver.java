package io.cages.dist;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny OTLP/HTTP receiver for tests: counts POSTs to {@code /v1/traces} and decodes from each protobuf
 * {@code ExportTraceServiceRequest} just enough of every span (ids, parent, name, kind, string attributes).
 */
final class OtlpReceiver implements AutoCloseable {

    record Span(String traceId, String spanId, String parentSpanId, String name, int kind, java.util.Map<String, String> attributes,
                String serviceName) {
    }

    private final HttpServer server;
    final AtomicInteger posts = new AtomicInteger();
    final Queue<Span> spans = new ConcurrentLinkedQueue<>();
    final Queue<String> problems = new ConcurrentLinkedQueue<>();

    OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/traces", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                byte[] body = in.readAllBytes();
                if (!"POST".equals(exchange.getRequestMethod())
                        || !"application/x-protobuf".equals(exchange.getRequestHeaders().getFirst("Content-Type"))) {
                    problems.add(exchange.getRequestMethod() + " " + exchange.getRequestHeaders().getFirst("Content-Type"));
                }
                posts.incrementAndGet();
                decode(body);
            } catch (RuntimeException e) {
                problems.add(e.toString());
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<Span> spansOf(String traceId) {
        return spans.stream().filter(s -> s.traceId().equals(traceId)).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void decode(byte[] request) {
        for (Field resourceSpans : fields(request, 1)) {
            String service = null;
            for (Field resource : fields(resourceSpans.bytes, 1)) {
                for (Field kv : fields(resource.bytes, 1)) {
                    String[] pair = keyValue(kv.bytes);
                    if (pair[0].equals("service.name")) {
                        service = pair[1];
                    }
                }
            }
            for (Field scopeSpans : fields(resourceSpans.bytes, 2)) {
                for (Field span : fields(scopeSpans.bytes, 2)) {
                    String traceId = null;
                    String spanId = null;
                    String parent = null;
                    String name = null;
                    int kind = 0;
                    java.util.Map<String, String> attributes = new java.util.HashMap<>();
                    for (Field f : fields(span.bytes, -1)) {
                        switch (f.number) {
                            case 1 -> traceId = HexFormat.of().formatHex(f.bytes);
                            case 2 -> spanId = HexFormat.of().formatHex(f.bytes);
                            case 4 -> parent = f.bytes.length == 0 ? null : HexFormat.of().formatHex(f.bytes);
                            case 5 -> name = new String(f.bytes, java.nio.charset.StandardCharsets.UTF_8);
                            case 6 -> kind = (int) f.varint;
                            case 9 -> {
                                String[] pair = keyValue(f.bytes);
                                attributes.put(pair[0], pair[1]);
                            }
                            default -> { }
                        }
                    }
                    spans.add(new Span(traceId, spanId, parent, name, kind, attributes, service));
                }
            }
        }
    }

    private static String[] keyValue(byte[] kv) {
        String key = new String(fields(kv, 1).get(0).bytes, java.nio.charset.StandardCharsets.UTF_8);
        List<Field> values = fields(kv, 2);
        String value = values.isEmpty() ? null : fields(values.get(0).bytes, 1).stream().findFirst()
                .map(f -> new String(f.bytes, java.nio.charset.StandardCharsets.UTF_8)).orElse(null);
        return new String[] {key, value};
    }

    private record Field(int number, long varint, byte[] bytes) {
    }

    /** The fields numbered {@code wanted} of one message (-1: all); varint, fixed64, fixed32 and length-delimited only. */
    private static List<Field> fields(byte[] message, int wanted) {
        List<Field> found = new ArrayList<>();
        int[] at = {0};
        while (at[0] < message.length) {
            long tag = varint(message, at);
            int number = (int) (tag >>> 3);
            int type = (int) (tag & 7);
            Field field = switch (type) {
                case 0 -> new Field(number, varint(message, at), null);
                case 1 -> {
                    long v = 0;
                    for (int i = 0; i < 8; i++) {
                        v |= (message[at[0] + i] & 0xFFL) << (8 * i);
                    }
                    at[0] += 8;
                    yield new Field(number, v, null);
                }
                case 5 -> { // fixed32: a span's flags
                    long v = 0;
                    for (int i = 0; i < 4; i++) {
                        v |= (message[at[0] + i] & 0xFFL) << (8 * i);
                    }
                    at[0] += 4;
                    yield new Field(number, v, null);
                }
                case 2 -> {
                    int length = (int) varint(message, at);
                    byte[] bytes = java.util.Arrays.copyOfRange(message, at[0], at[0] + length);
                    at[0] += length;
                    yield new Field(number, 0, bytes);
                }
                default -> throw new IllegalArgumentException("wire type " + type + " not expected in OTLP traces");
            };
            if (wanted < 0 || number == wanted) {
                found.add(field);
            }
        }
        return found;
    }

    private static long varint(byte[] b, int[] at) {
        long value = 0;
        for (int shift = 0; ; shift += 7) {
            byte next = b[at[0]++];
            value |= (long) (next & 0x7F) << shift;
            if ((next & 0x80) == 0) {
                return value;
            }
        }
    }
}
