package io.cages.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Host config files: defaults for what is left out, clear errors naming the file and the key. */
class HostConfigTest {

    @TempDir
    Path dir;

    @Test
    void cageNamesAreALowerCaseLetterThenUpTo62LettersDigitsOrDashes() {
        String longest = "a" + "b1-".repeat(20) + "cd";
        assertEquals(63, longest.length());
        for (String good : new String[] {"a", "hello", "hello-2", "x-", longest}) {
            assertTrue(HostConfig.isValidCageName(good), good);
        }
        for (String bad : new String[] {null, "", "Hello", "1a", "-a", "a_b", "a.b", "a b", "h\u00e9", longest + "e", "a\n"}) {
            org.junit.jupiter.api.Assertions.assertFalse(HostConfig.isValidCageName(bad), String.valueOf(bad));
        }
    }

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
        assertTrue(typo.getMessage().contains("host.json: htp: unknown key (known: [cageConfigDir, cageDefaults, cages, deployDir, "), typo.getMessage());

        IllegalArgumentException limit = rejected("{\"cages\": {\"hello\": {\"maxConcurrency\": 0}}}");
        assertTrue(limit.getMessage().contains("cages.hello.maxConcurrency must be positive, was 0"), limit.getMessage());

        IllegalArgumentException name = rejected("{\"cages\": {\"Bad_Name\": {}}}");
        assertTrue(name.getMessage().contains("not a valid cage name"), name.getMessage());

        IllegalArgumentException syntax = rejected("{\"http\": ");
        assertTrue(syntax.getMessage().contains("line"), syntax.getMessage());

        IllegalArgumentException nested = rejected("{\"http\": {\"maxBodyBytes\": \"lots\"}}");
        assertTrue(nested.getMessage().endsWith("host.json: http.maxBodyBytes must be a whole number, was \"lots\""), nested.getMessage());

        IllegalArgumentException adminPort = rejected("{\"http\": {\"adminPort\": -2}}");
        assertTrue(adminPort.getMessage().endsWith("host.json: http.adminPort must be 0..65535, or -1 for none, was -2"), adminPort.getMessage());
    }

    @Test
    void valuesMayComeFromTheEnvironmentAndAreNeverShown() throws Exception {
        Path file = Files.writeString(dir.resolve("host.json"), """
                {"name": "${env:HOST}", "http": {"port": "${env:PORT}"}, "cages": {"hello": {"timeoutMs": "${env:T}"}}}""");
        HostConfig config = HostConfig.load(file, Map.of("HOST", "h1", "PORT", "9090", "T", "250")::get);
        assertEquals("h1", config.name());
        assertEquals(9090, config.http().port());
        assertEquals(250L, config.limitsFor("hello").timeoutMs());

        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> HostConfig.load(file, Map.of("HOST", "h1", "PORT", "70000", "T", "250")::get));
        assertEquals(file + ": http.port must be 0..65535, was \"${env:PORT}\" (value not shown)", bad.getMessage());
        IllegalArgumentException unset = assertThrows(IllegalArgumentException.class,
                () -> HostConfig.load(file, Map.of("HOST", "h1", "PORT", "1")::get));
        assertEquals(file + ": cages.hello.timeoutMs: environment variable T is not set", unset.getMessage());
    }

    @Test
    void transportSectionsAreKeptForTheirTransports() throws Exception {
        HostConfig config = HostConfig.load(Files.writeString(dir.resolve("host.json"), """
                {"transports": {"flock": {"name": "f", "anything": [1]}, "jms": null}}"""));
        assertEquals("f", config.transport("flock").get("name").asText());
        assertEquals(1, config.transport("flock").get("anything").get(0).asInt());
        assertEquals(null, config.transport("jms"));
    }

    @Test
    void tracingNamesAnOtlpEndpointAndASampleRatio() throws Exception {
        HostConfig.Tracing none = HostConfig.load(Files.writeString(dir.resolve("host.json"), "{}")).tracing();
        assertEquals(null, none.otlpEndpoint());
        assertEquals(null, none.sampleRatio());
        HostConfig.Tracing set = HostConfig.load(Files.writeString(dir.resolve("host.json"),
                "{\"tracing\": {\"otlpEndpoint\": \"http://collector:4318\", \"sampleRatio\": 0.25}}")).tracing();
        assertEquals("http://collector:4318", set.otlpEndpoint());
        assertEquals(0.25, set.sampleRatio());
        IllegalArgumentException ratio = rejected("{\"tracing\": {\"otlpEndpoint\": \"http://c:4318\", \"sampleRatio\": 2}}");
        assertTrue(ratio.getMessage().contains("tracing.sampleRatio must be a number from 0 to 1, was 2"), ratio.getMessage());
        IllegalArgumentException grpc = rejected("{\"tracing\": {\"otlpEndpoint\": \"grpc://c:4317\"}}");
        assertTrue(grpc.getMessage().contains("tracing.otlpEndpoint: must be an http:// or https:// URL"), grpc.getMessage());
        IllegalArgumentException typo = rejected("{\"tracing\": {\"endpoint\": \"http://c:4318\"}}");
        assertTrue(typo.getMessage().contains("tracing.endpoint: unknown key"), typo.getMessage());
    }

    @Test
    void healthHasAPeriodAndATimeoutWithinIt() throws Exception {
        HostConfig.Health defaults = HostConfig.load(Files.writeString(dir.resolve("host.json"), "{}")).health();
        assertEquals(2000L, defaults.periodMs());
        assertEquals(1000L, defaults.timeoutMs());
        HostConfig.Health set = HostConfig.load(Files.writeString(dir.resolve("host.json"),
                "{\"health\": {\"periodMs\": 1000, \"timeoutMs\": 400}}")).health();
        assertEquals(1000L, set.periodMs());
        assertEquals(400L, set.timeoutMs());
        assertEquals(300L, HostConfig.load(Files.writeString(dir.resolve("host.json"),
                "{\"health\": {\"periodMs\": 300}}")).health().timeoutMs(), "the default timeout never exceeds the period");
        IllegalArgumentException tooLong = rejected("{\"health\": {\"periodMs\": 1000, \"timeoutMs\": 5000}}");
        assertTrue(tooLong.getMessage().endsWith("host.json: health.timeoutMs must be at most health.periodMs (1000), was 5000"), tooLong.getMessage());
        IllegalArgumentException tooShort = rejected("{\"health\": {\"periodMs\": 50}}");
        assertTrue(tooShort.getMessage().contains("health.periodMs must be "), tooShort.getMessage());
        assertTrue(tooShort.getMessage().contains("was 50"), tooShort.getMessage());
        IllegalArgumentException typo = rejected("{\"health\": {\"interval\": 1000}}");
        assertTrue(typo.getMessage().contains("health.interval: unknown key"), typo.getMessage());
    }

    @Test
    void tlsNamesThreePemFilesRelativeToTheConfigFolder() throws Exception {
        assertEquals(null, HostConfig.load(Files.writeString(dir.resolve("host.json"), "{}")).tls());
        HostConfig config = HostConfig.load(Files.writeString(dir.resolve("host.json"),
                "{\"tls\": {\"ca\": \"flock-ca.pem\", \"cert\": \"certs/host.pem\", \"key\": \"/etc/cages/host.key\"}}"));
        Path folder = dir.toAbsolutePath();
        assertEquals(new HostConfig.Tls(folder.resolve("flock-ca.pem"), folder.resolve("certs/host.pem"), Path.of("/etc/cages/host.key")), config.tls());
        IllegalArgumentException missing = rejected("{\"tls\": {\"ca\": \"flock-ca.pem\", \"cert\": \"host.pem\"}}");
        assertTrue(missing.getMessage().contains("tls.key: is required: the path of a PEM file (relative to the folder of host.json)"), missing.getMessage());
        IllegalArgumentException typo = rejected("{\"tls\": {\"ca\": \"a\", \"cert\": \"b\", \"key\": \"c\", \"cacert\": \"d\"}}");
        assertTrue(typo.getMessage().contains("tls.cacert: unknown key"), typo.getMessage());
    }

    @Test
    void metricsCanBeSwitchedOff() throws Exception {
        assertTrue(HostConfig.load(Files.writeString(dir.resolve("host.json"), "{}")).metrics().enabled());
        assertTrue(HostConfig.load(Files.writeString(dir.resolve("host.json"), "{\"metrics\": {}}")).metrics().enabled());
        assertEquals(false, HostConfig.load(Files.writeString(dir.resolve("host.json"),
                "{\"metrics\": {\"enabled\": false}}")).metrics().enabled());
        IllegalArgumentException typo = rejected("{\"metrics\": {\"enable\": false}}");
        assertTrue(typo.getMessage().contains("host.json: metrics.enable: unknown key"), typo.getMessage());
    }

    @Test
    void theAdminTokenComesFromTheFileElseTheEnvironmentAndIsNeverShown() throws Exception {
        Path file = Files.writeString(dir.resolve("host.json"), "{\"http\": {\"adminToken\": \"${env:MY_TOKEN}\"}}");
        HostConfig fromFile = HostConfig.load(file, Map.of("MY_TOKEN", "t-file", "CAGES_ADMIN_TOKEN", "t-env")::get);
        assertEquals("t-file", fromFile.http().adminToken());
        assertTrue(!fromFile.http().toString().contains("t-file") && fromFile.http().toString().contains("adminToken=(set)"),
                fromFile.http()::toString);

        Path none = Files.writeString(dir.resolve("host2.json"), "{}");
        assertEquals("t-env", HostConfig.load(none, Map.of("CAGES_ADMIN_TOKEN", "t-env")::get).http().adminToken());
        assertEquals(null, HostConfig.load(none, Map.<String, String>of()::get).http().adminToken());
    }
}
