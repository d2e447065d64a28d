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
        assertTrue(e.getMessage().contains("NOPE_PW") && e.getMessage().contains("\"password\"")
                && e.getMessage().contains("\"orders\""), e.getMessage());
    }

    @Test
    void unknownKeyAndBadValuesAreRejectedByName() {
        assertMessage("{\"url\":\"jdbc:h2:mem:x\",\"maxPoolsize\":3}", "\"maxPoolsize\"");
        assertMessage("{\"url\":\"jdbc:h2:mem:x\",\"maxPoolSize\":0}", "\"maxPoolSize\"");
        assertMessage("{\"url\":\"jdbc:h2:mem:x\",\"maxPoolSize\":2,\"minIdle\":3}", "\"minIdle\"");
        assertMessage("{\"url\":\"jdbc:h2:mem:x\",\"connectionTimeoutMs\":\"5s\"}", "\"connectionTimeoutMs\"");
        assertMessage("{\"url\":\"jdbc:h2:mem:x\",\"idleTimeoutMs\":5}", "\"idleTimeoutMs\"");
        assertMessage("{\"url\":\"mysql://x\"}", "\"url\"");
        assertMessage("{\"username\":\"u\"}", "\"url\"");
    }

    private static void assertMessage(String json, String key) {
        CageException e = assertThrows(CageException.class, () -> JdbcSettings.parse("db", Config.parse(json)));
        assertTrue(e.getMessage().contains(key) && e.getMessage().contains("\"db\""), e.getMessage());
    }
}
