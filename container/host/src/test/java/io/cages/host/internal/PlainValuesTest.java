package io.cages.host.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.smile.databind.SmileMapper;
import io.cages.host.spi.HostJson;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The shortcuts give exactly what Jackson's conversions they replace gave: same values, same Java types. */
class PlainValuesTest {

    private static final String JSON = """
            {"s":"text","i":7,"negative":-3,"l":12345678901,"big":123456789012345678901234567890,
             "d":2.5,"tiny":1e-300,"t":true,"f":false,"n":null,"list":[1,"two",[3.0],{"k":null}],
             "nested":{"a":{"b":[]}},"empty":{}}""";

    @Test
    void aTreeBecomesWhatConvertValueMadeOfIt() throws Exception {
        JsonNode fromJson = HostJson.MAPPER.readTree(JSON);
        assertSame(fromJson);
        ObjectMapper smile = new SmileMapper();
        assertSame(smile.readTree(smile.writeValueAsBytes(fromJson)));

        JsonNodeFactory nodes = JsonNodeFactory.instance;
        ObjectNode built = nodes.objectNode();
        built.put("short", (short) 3);
        built.put("float", 1.5f);
        built.put("decimal", new BigDecimal("1.25"));
        built.put("bigint", BigInteger.TEN);
        built.put("smallLong", 5L);
        built.put("binary", new byte[] {1, 2, 3});
        built.putPOJO("pojo", List.of(1, 2));
        built.set("missing", nodes.missingNode());
        assertSame(built);
        assertNull(PlainValues.of(null));
        assertNull(PlainValues.of(nodes.nullNode()));
        assertEquals("x", PlainValues.of(nodes.textNode("x")));
    }

    @Test
    void scalarParametersAreCopiedAsConvertValueCopiedThem() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("s", "text");
        params.put("i", 1);
        params.put("l", 2L);
        params.put("d", 3.5);
        params.put("f", 4.5f);
        params.put("sh", (short) 5);
        params.put("b", (byte) 6);
        params.put("bi", BigInteger.TWO);
        params.put("bd", new BigDecimal("7.25"));
        params.put("t", true);
        params.put("n", null);
        Map<String, Object> copy = PlainValues.copyOfScalars(params);
        Map<?, ?> jackson = HostJson.MAPPER.convertValue(params, Map.class);
        assertEquals(typed(jackson), typed(copy));
        assertEquals(List.copyOf(jackson.keySet()), List.copyOf(copy.keySet()), "order kept");
        assertNotSame(params, copy);
        params.put("s", "changed");
        assertEquals("text", copy.get("s"), "a copy, not a view");
    }

    @Test
    void anythingButImmutableScalarsIsLeftToTheCallersMapper() {
        assertNull(PlainValues.copyOfScalars(Map.of("counter", new AtomicInteger())), "a Number, but mutable");
        assertNull(PlainValues.copyOfScalars(Map.of("list", new ArrayList<>(List.of(1)))));
        assertNull(PlainValues.copyOfScalars(Map.of("map", new HashMap<>())));
        assertNull(PlainValues.copyOfScalars(Map.of("record", new Point(1, 2))));
        Map<String, Object> nullKey = new HashMap<>();
        nullKey.put(null, 1);
        assertNull(PlainValues.copyOfScalars(nullKey));
    }

    record Point(int x, int y) {
    }

    private static void assertSame(JsonNode tree) {
        Object expected = HostJson.MAPPER.convertValue(tree, Object.class);
        Object actual = PlainValues.of(tree);
        assertEquals(typed(expected), typed(actual), tree.toString());
        if (expected instanceof Map<?, ?> map && map.get("binary") instanceof byte[] bytes) {
            assertArrayEquals(bytes, (byte[]) ((Map<?, ?>) actual).get("binary"));
        }
    }

    /** The value with each leaf's Java type beside it, so Integer 5 and Long 5 differ. */
    private static Object typed(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(k, typed(v)));
            return out;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(PlainValuesTest::typed).toList();
        }
        if (value instanceof byte[] bytes) {
            return "byte[" + bytes.length + "]";
        }
        return value == null ? "null" : value.getClass().getSimpleName() + ":" + value;
    }
}
