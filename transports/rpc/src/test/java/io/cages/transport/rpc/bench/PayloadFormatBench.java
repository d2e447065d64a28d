package io.cages.transport.rpc.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import com.fasterxml.jackson.dataformat.smile.SmileGenerator;
import com.fasterxml.jackson.dataformat.smile.databind.SmileMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Chooses the payload format: encode + decode of a parameter tree with Jackson's CBOR and Smile mappers.
 * Not a test; run it by hand (command in FORMAT.md), figures go to FORMAT.md.
 *
 * <p>Payloads: "hello" (a greeter's parameters), "records-10k" (100 small records, ~10 KB of JSON),
 * "blob-10k" (a 10 KB byte array inside the tree, as a binary parameter). A plain loop with warm-up rather
 * than JMH: the differences that matter here are large, and this keeps the module free of a JMH build.
 */
public final class PayloadFormatBench {

    private static final TypeReference<Map<String, Object>> TREE = new TypeReference<>() {
    };

    public static void main(String[] args) throws Exception {
        long measureMs = args.length > 0 ? Long.parseLong(args[0]) : 2_000;
        Map<String, ObjectMapper> formats = new LinkedHashMap<>();
        formats.put("cbor", new CBORMapper());
        formats.put("smile", new SmileMapper());
        formats.put("smile-raw-binary", SmileMapper.builder().disable(SmileGenerator.Feature.ENCODE_BINARY_AS_7BIT).build());
        Map<String, Map<String, Object>> payloads = new LinkedHashMap<>();
        payloads.put("hello", Map.of("name", "world", "greeting", "hello", "count", 3, "tags", List.of("a", "b")));
        payloads.put("records-10k", records());
        byte[] blob = new byte[10 * 1024];
        new Random(42).nextBytes(blob);
        payloads.put("blob-10k", Map.of("name", "upload.bin", "data", blob));

        // Rounds interleave the combinations so a noisy neighbour hurts all alike; the best round is kept.
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Map<String, long[]> best = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            for (var payload : payloads.entrySet()) {
                for (var format : formats.entrySet()) {
                    ObjectMapper mapper = format.getValue();
                    byte[] encoded = mapper.writeValueAsBytes(payload.getValue());
                    long[] ns = run(mapper, payload.getValue(), encoded, measureMs);
                    best.merge(payload.getKey() + " " + format.getKey(), ns,
                            (a, b) -> new long[] {Math.min(a[0], b[0]), Math.min(a[1], b[1])});
                }
            }
        }
        System.out.printf("%-12s %-18s %8s %12s %12s %12s%n", "payload", "format", "bytes", "encode ns", "decode ns", "total ns");
        for (var payload : payloads.entrySet()) {
            for (var format : formats.entrySet()) {
                long[] ns = best.get(payload.getKey() + " " + format.getKey());
                int bytes = format.getValue().writeValueAsBytes(payload.getValue()).length;
                System.out.printf("%-12s %-18s %8d %12d %12d %12d%n", payload.getKey(), format.getKey(), bytes,
                        ns[0], ns[1], ns[0] + ns[1]);
            }
        }
    }

    /** Nanoseconds per encode and per decode, each measured for about {@code ms} milliseconds. */
    private static long[] run(ObjectMapper mapper, Map<String, Object> tree, byte[] encoded, long ms) throws Exception {
        long sink = 0;
        long ops = 0;
        long start = System.nanoTime();
        long end = start + ms * 500_000;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 100; i++) {
                sink += mapper.writeValueAsBytes(tree).length;
            }
            ops += 100;
        }
        long encodeNs = (System.nanoTime() - start) / ops;
        ops = 0;
        start = System.nanoTime();
        end = start + ms * 500_000;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 100; i++) {
                sink += mapper.readValue(encoded, TREE).size();
            }
            ops += 100;
        }
        long decodeNs = (System.nanoTime() - start) / ops;
        if (sink == 42) {
            System.out.println(); // keeps the work observable to the JIT
        }
        return new long[] {encodeNs, decodeNs};
    }

    private static Map<String, Object> records() {
        List<Map<String, Object>> items = new ArrayList<>();
        Random random = new Random(7);
        for (int i = 0; i < 100; i++) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("id", 100_000 + i);
            item.put("sku", "SKU-" + Integer.toHexString(random.nextInt()));
            item.put("name", "item number " + i);
            item.put("price", Math.round(random.nextDouble() * 10_000) / 100.0);
            item.put("inStock", random.nextBoolean());
            items.add(item);
        }
        return Map.of("warehouse", "north", "items", items);
    }
}
