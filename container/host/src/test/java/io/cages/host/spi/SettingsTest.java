package io.cages.host.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one settings reader: strict keys, types, ranges, the environment, and errors that name where and why. */
class SettingsTest {

    private static final Set<String> KEYS = Set.of("name", "size", "timeoutMs", "port", "mode", "on", "password",
            "hosts", "pool", "items", "byName");
    private static final Set<String> POOL_KEYS = Set.of("max", "user");
    private static final Map<String, String> ENV = Map.of("SIZE", "7", "ZERO", "0", "PW", "s3cret!", "MODE", "durable");

    @TempDir
    Path dir;

    private static Settings read(String json) throws Exception {
        return read(json, ENV::get);
    }

    private static Settings read(String json, Function<String, String> env) throws Exception {
        return Settings.of(new ObjectMapper().readTree(json), "transports.x", env, KEYS);
    }

    private static String rejected(String json, java.util.function.Consumer<Settings> use) {
        return assertThrows(SettingsException.class, () -> use.accept(read(json))).getMessage();
    }

    @Test
    void missingKeysTakeTheirDefaultsAndNullIsMissing() throws Exception {
        Settings s = read("{\"size\": null}");
        assertEquals("d", s.string("name", "d"));
        assertEquals(3, s.integer("size", 3, 1, 10));
        assertEquals(9L, s.longValue("timeoutMs", 9, 1, Long.MAX_VALUE));
        assertTrue(s.flag("on", true));
        assertNull(s.optionalInteger("size", 1, 10));
        assertEquals(List.of(), s.strings("hosts"));
        assertEquals(List.of(), s.objects("items", POOL_KEYS));
        assertEquals(5, s.object("pool", POOL_KEYS).integer("max", 5, 1, 10));
        assertFalse(s.has("size"));
    }

    @Test
    void anUnknownKeyIsNamedWithItsPathAndTheKnownOnes() {
        assertEquals("transports.x.sise: unknown key (known: [byName, hosts, items, mode, name, on, password, pool, port, size, timeoutMs])",
                rejected("{\"sise\": 3}", s -> { }));
        assertEquals("transports.x.pool.mux: unknown key (known: [max, user])",
                rejected("{\"pool\": {\"mux\": 3}}", s -> s.object("pool", POOL_KEYS)));
        assertEquals("transports.x.items[1].mux: unknown key (known: [max, user])",
                rejected("{\"items\": [{\"max\": 1}, {\"mux\": 3}]}", s -> s.objects("items", POOL_KEYS)));
    }

    @Test
    void wrongTypesAreNamed() {
        assertEquals("transports.x.name must be a string", rejected("{\"name\": 5}", s -> s.string("name", null)));
        assertEquals("transports.x.size must be a whole number, was \"two\"", rejected("{\"size\": \"two\"}", s -> s.integer("size", 0, 0, 9)));
        assertEquals("transports.x.size must be a whole number, was 1.5", rejected("{\"size\": 1.5}", s -> s.integer("size", 0, 0, 9)));
        assertEquals("transports.x.on must be true or false, was \"yes\"", rejected("{\"on\": \"yes\"}", s -> s.flag("on", false)));
        assertEquals("transports.x.pool must be a JSON object", rejected("{\"pool\": 3}", s -> s.object("pool", POOL_KEYS)));
        assertEquals("transports.x.hosts must be a JSON array", rejected("{\"hosts\": \"a:1\"}", s -> s.strings("hosts")));
        assertEquals("transports.x.hosts[1] must be a string", rejected("{\"hosts\": [\"a:1\", 2]}", s -> s.strings("hosts")));
        assertEquals("transports.x.items[0] must be a JSON object", rejected("{\"items\": [null]}", s -> s.objects("items", POOL_KEYS)));
    }

    @Test
    void rangesAreNamedWithTheValueWritten() {
        assertEquals("transports.x.size must be positive, was 0", rejected("{\"size\": 0}", s -> s.integer("size", 1, 1, Integer.MAX_VALUE)));
        assertEquals("transports.x.size must be 0 or more, was -1", rejected("{\"size\": -1}", s -> s.integer("size", 1, 0, Integer.MAX_VALUE)));
        assertEquals("transports.x.size must be at least 50, was 10", rejected("{\"size\": 10}", s -> s.longValue("size", 50, 50, Long.MAX_VALUE)));
        assertEquals("transports.x.size must be at most 2147483647, was 3000000000",
                rejected("{\"size\": 3000000000}", s -> s.integer("size", 1, 1, Integer.MAX_VALUE)));
        assertEquals("transports.x.size must be 1..10, was 99999999999999999999999",
                rejected("{\"size\": 99999999999999999999999}", s -> s.longValue("size", 1, 1, 10)));
        assertEquals("transports.x.port must be 0..65535, was 99999", rejected("{\"port\": 99999}", s -> s.port("port", 0)));
        assertEquals("transports.x.port must be 0..65535, or -1 for none, was -2", rejected("{\"port\": -2}", s -> s.portOrNone("port", -1)));
        assertEquals(-1, assertDoesNotThrow("{\"port\": -1}").portOrNone("port", 0));
        assertEquals("transports.x.mode must be \"a\", \"b\" or \"c\", was \"d\"", rejected("{\"mode\": \"d\"}", s -> s.choice("mode", "a", "a", "b", "c")));
    }

    private static Settings assertDoesNotThrow(String json) {
        return org.junit.jupiter.api.Assertions.assertDoesNotThrow(() -> read(json));
    }

    @Test
    void environmentVariablesFillStringsNumbersAndFlags() throws Exception {
        Settings s = read("{\"name\": \"pre-${env:PW}-${env:SIZE}\", \"size\": \"${env:SIZE}\", \"on\": \"${env:FLAG}\", \"hosts\": [\"h:${env:SIZE}\"]}",
                Map.of("SIZE", "7", "PW", "pw", "FLAG", "false")::get);
        assertEquals("pre-pw-7", s.string("name", null));
        assertEquals(7, s.integer("size", 0, 1, 10));
        assertFalse(s.flag("on", true));
        assertEquals(List.of("h:7"), s.strings("hosts"));
    }

    @Test
    void aMissingEnvironmentVariableIsNamedWithTheKey() {
        assertEquals("transports.x.pool.user: environment variable NOPE is not set",
                rejected("{\"pool\": {\"user\": \"${env:NOPE}\"}}", s -> s.object("pool", POOL_KEYS).string("user", null)));
        assertEquals("transports.x.size: environment variable NOPE is not set",
                rejected("{\"size\": \"${env:NOPE}\"}", s -> s.integer("size", 0, 0, 9)));
    }

    @Test
    void noValueFromTheEnvironmentAndNoStringIsEverShown() {
        String range = rejected("{\"size\": \"${env:ZERO}\"}", s -> s.integer("size", 1, 1, 10));
        assertEquals("transports.x.size must be 1..10, was \"${env:ZERO}\" (value not shown)", range);
        String choice = rejected("{\"mode\": \"${env:MODE}\"}", s -> s.choice("mode", "a", "a", "b"));
        assertEquals("transports.x.mode must be \"a\" or \"b\", was \"${env:MODE}\" (value not shown)", choice);
        assertFalse(choice.contains("durable"), choice);
        String number = rejected("{\"size\": \"${env:PW}\"}", s -> s.integer("size", 1, 1, 10));
        assertFalse(number.contains("s3cret"), number);
        // A rule the caller checks on a string shows no value: it may be a password written in the file.
        String rule = rejected("{\"password\": \"hunter2\"}", s -> {
            throw s.invalid("password", "must be at least 12 characters");
        });
        assertEquals("transports.x.password must be at least 12 characters", rule);
        String fromEnv = rejected("{\"password\": \"${env:PW}\"}", s -> {
            throw s.invalid("password", "must be at least 12 characters");
        });
        assertEquals("transports.x.password must be at least 12 characters, was \"${env:PW}\" (value not shown)", fromEnv);
    }

    @Test
    void namesOfAMapComeInFileOrderAndTheirErrorsHaveThePath() throws Exception {
        Settings byName = read("{\"byName\": {\"b\": {\"max\": 1}, \"a\": {\"max\": 0}}}").map("byName");
        assertEquals(List.of("b", "a"), byName.names());
        assertEquals(1, byName.object("b", POOL_KEYS).integer("max", 5, 1, 10));
        SettingsException e = assertThrows(SettingsException.class, () -> byName.object("a", POOL_KEYS).integer("max", 5, 1, 10));
        assertEquals("transports.x.byName.a.max must be 1..10, was 0", e.getMessage());
        assertEquals("transports.x.byName.b: not a valid name", byName.problem("b", "not a valid name").getMessage());
    }

    @Test
    void aFileNamesItselfInEveryError() throws Exception {
        Path file = Files.writeString(dir.resolve("host.json"), "{\"pool\": {\"max\": 0}}");
        Settings s = Settings.read(file, ENV::get, KEYS);
        SettingsException e = assertThrows(SettingsException.class, () -> s.object("pool", POOL_KEYS).integer("max", 1, 1, 10));
        assertEquals(file + ": pool.max must be 1..10, was 0", e.getMessage());
        assertEquals(file.toString(), e.source());
        assertEquals("pool.max must be 1..10, was 0", e.problem());
        assertTrue(e.in(Path.of("other.json")) == e, "an error keeps the file it names");

        SettingsException late = new SettingsException("transports.x.size must be positive, was 0").in(file);
        assertEquals(file + ": transports.x.size must be positive, was 0", late.getMessage());

        Files.writeString(file, "{\"typo\": 1}");
        assertEquals(file + ": typo: unknown key (known: [byName, hosts, items, mode, name, on, password, pool, port, size, timeoutMs])",
                assertThrows(SettingsException.class, () -> Settings.read(file, ENV::get, KEYS)).getMessage());
        Files.writeString(file, "[1]");
        assertEquals(file + ": settings must be a JSON object",
                assertThrows(SettingsException.class, () -> Settings.read(file, ENV::get, KEYS)).getMessage());
        Path missing = dir.resolve("missing.json");
        assertTrue(assertThrows(SettingsException.class, () -> Settings.read(missing, ENV::get, KEYS)).getMessage()
                .startsWith(missing + ": cannot read: java.nio.file.NoSuchFileException"));
    }

    @Test
    void brokenJsonIsLocatedWithoutQuotingTheFile() {
        SettingsException eof = assertThrows(SettingsException.class, () -> Settings.parse("{\"a\": ".getBytes(StandardCharsets.UTF_8)));
        assertEquals("not valid JSON at line 1, column 7: expected the object to go on and end with '}', found the end of the text",
                eof.getMessage());
        SettingsException token = assertThrows(SettingsException.class,
                () -> Settings.parse("{\"password\": s3cretPassword}".getBytes(StandardCharsets.UTF_8)));
        assertFalse(token.getMessage().contains("s3cret"), token.getMessage());
        assertEquals("not valid JSON at line 1, column 14: expected a value (a string in double quotes, a number, an object, an array,"
                + " true, false or null), found an unquoted word", token.getMessage());
        assertEquals("is empty: settings must be a JSON object",
                assertThrows(SettingsException.class, () -> Settings.parse(new byte[0])).getMessage());
    }

    @Test
    void aRawSectionIsHandedOverAsWritten() throws Exception {
        JsonNode pool = read("{\"pool\": {\"max\": \"${env:SIZE}\"}}").raw("pool");
        assertEquals("${env:SIZE}", pool.get("max").asText());
    }
}
