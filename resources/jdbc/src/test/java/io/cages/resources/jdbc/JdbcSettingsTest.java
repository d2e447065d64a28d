package io.cages.resources.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.api.CageException;
import io.cages.api.ErrorCode;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JdbcSettingsTest {

    @Test
    void defaultsAndEnvReferences() throws Exception {
        JdbcSettings s = JdbcSettings.parse("db", Config.parse(
                "{\"kind\":\"jdbc\",\"url\":\"jdbc:h2:mem:x\",\"username\":\"${env:U}\",\"password\":\"pre-${env:P}\"}"),
                Map.of("U", "alice", "P", "s3cret")::get);
        assertEquals("alice", s.username());
        assertEquals("pre-s3cret", s.password());
        assertEquals(JdbcSettings.DEFAULT_MAX_POOL_SIZE, s.maxPoolSize());
        assertEquals(JdbcSettings.DEFAULT_CONNECTION_TIMEOUT_MS, s.connectionTimeoutMs());
        assertFalse(s.toString().contains("s3cret"), s.toString());
    }

    @Test
    void missingEnvironmentVariableNamesVariableAndKey() {
        CageException e = assertThrows(CageException.class, () -> JdbcSettings.parse("orders",
                Config.parse("{\"url\":\"jdbc:h2:mem:x\",\"password\":\"${env:NOPE_PW}\"}"), Map.<String, String>of()::get));
        assertEquals(ErrorCode.BAD_REQUEST, e.code());
        assertEquals("jdbc resource \"orders\": password: environment variable NOPE_PW is not set", e.getMessage());
    }

    @Test
    void unknownKeyAndBadValuesAreRejectedByName() {
        assertMessage("{\"url\":\"jdbc:h2:mem:x\",\"maxPoolsize\":3}", "maxPoolsize: unknown key (known: [connectionTimeoutMs, "
                + "idleTimeoutMs, kind, maxLifetimeMs, maxPoolSize, minIdle, password, url, username, validationTimeoutMs])");
        assertMessage("{\"url\":\"jdbc:h2:mem:x\",\"maxPoolSize\":0}", "maxPoolSize must be 1..10000, was 0");
        assertMessage("{\"url\":\"jdbc:h2:mem:x\",\"maxPoolSize\":2,\"minIdle\":3}", "minIdle must be 0..2, was 3");
        assertMessage("{\"url\":\"jdbc:h2:mem:x\",\"connectionTimeoutMs\":\"5s\"}", "connectionTimeoutMs must be a whole number, was \"5s\"");
        assertMessage("{\"url\":\"jdbc:h2:mem:x\",\"idleTimeoutMs\":5}", "idleTimeoutMs must be 0 (never) or at least 10000, was 5");
        assertMessage("{\"url\":\"mysql://x\"}", "url is required, and must start with \"jdbc:\"");
        assertMessage("{\"username\":\"u\"}", "url is required, and must start with \"jdbc:\"");
        assertMessage("{\"kind\":\"jms\",\"url\":\"jdbc:h2:mem:x\"}", "kind must be \"jdbc\", was \"jms\"");
    }

    @Test
    void numbersMayComeFromTheEnvironmentAndAreNeverShown() throws Exception {
        JdbcSettings s = JdbcSettings.parse("db", Config.parse("{\"url\":\"jdbc:h2:mem:x\",\"maxPoolSize\":\"${env:POOL}\"}"),
                Map.of("POOL", "4")::get);
        assertEquals(4, s.maxPoolSize());
        CageException e = assertThrows(CageException.class, () -> JdbcSettings.parse("db",
                Config.parse("{\"url\":\"jdbc:h2:mem:x\",\"maxPoolSize\":\"${env:POOL}\"}"), Map.of("POOL", "40000")::get));
        assertEquals("jdbc resource \"db\": maxPoolSize must be 1..10000, was \"${env:POOL}\" (value not shown)", e.getMessage());
    }

    private static void assertMessage(String json, String problem) {
        CageException e = assertThrows(CageException.class, () -> JdbcSettings.parse("db", Config.parse(json)));
        assertEquals(ErrorCode.BAD_REQUEST, e.code());
        assertEquals("jdbc resource \"db\": " + problem, e.getMessage());
    }
}
