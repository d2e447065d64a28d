package io.cages.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Host config files: defaults for what is left out, clear errors naming the file and the key. */
class HostConfigTest {

    @TempDir
    Path dir;

    private IllegalArgumentException rejected(String json) throws Exception {
        Path file = Files.writeString(dir.resolve("host.json"), json);
        return assertThrows(IllegalArgumentException.class, () -> HostConfig.load(file));
    }

    @Test
    void anEmptyObjectGivesTheDefaults() throws Exception {
        HostConfig config = HostConfig.load(Files.writeString(dir.resolve("host.json"), "{}"));
        assertEquals(8080, config.http().port());
        assertEquals(30_000L, config.cageDefaults().timeoutMs());
        assertEquals(256, config.limitsFor("any").maxConcurrency());
    }

    @Test
    void badValuesAndUnknownKeysAreNamed() throws Exception {
        IllegalArgumentException port = rejected("{\"http\": {\"port\": 99999}}");
        assertTrue(port.getMessage().contains("host.json") && port.getMessage().contains("http.port must be 0..65535, was 99999"), port.getMessage());

        IllegalArgumentException typo = rejected("{\"htp\": {}}");
        assertTrue(typo.getMessage().contains("\"htp\""), typo.getMessage());

        IllegalArgumentException limit = rejected("{\"cages\": {\"hello\": {\"maxConcurrency\": 0}}}");
        assertTrue(limit.getMessage().contains("maxConcurrency must be positive"), limit.getMessage());

        IllegalArgumentException name = rejected("{\"cages\": {\"Bad_Name\": {}}}");
        assertTrue(name.getMessage().contains("not a valid cage name"), name.getMessage());

        IllegalArgumentException syntax = rejected("{\"http\": ");
        assertTrue(syntax.getMessage().contains("line"), syntax.getMessage());
    }
}
