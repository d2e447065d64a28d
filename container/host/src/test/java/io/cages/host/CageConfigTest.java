package io.cages.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.host.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.cages.host.admin.ConfigProblem;

/** Cage config files reach the running cage without a restart; bad ones are rejected and the old stays. */
class CageConfigTest {

    @TempDir
    Path dir;
    HostFixture fx;
    Path configFile;

    @BeforeEach
    void start() throws Exception {
        Path configs = Files.createDirectories(dir.resolve("configs"));
        configFile = configs.resolve("svc.json");
        Files.writeString(configFile, "{\"colour\": \"red\"}");
        fx = new HostFixture(HostConfig.defaults().withWorkDir(dir.resolve("work")).withCageConfigDir(configs));
        fx.deploy(HostFixture.versionCage("svc", "1.0.0"));
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    private Object colour() throws Exception {
        return fx.callOk("svc", "config", Map.of()).value().path("colour").asText(null);
    }

    @Test
    void changedConfigReachesTheRunningCage() throws Exception {
        assertEquals("red", colour());
        Files.writeString(configFile, "{\"colour\": \"blue\"}");
        Await.until("the new config is in force", Duration.ofSeconds(10), () -> "blue".equals(uncheckedColour()));
    }

    @Test
    void invalidConfigIsRejectedWithFileAndReasonAndTheOldStays() throws Exception {
        Files.writeString(configFile, "{\"colour\": ");
        Await.until("the bad file is reported", Duration.ofSeconds(10), () -> !fx.host.admin().configProblems().isEmpty());

        ConfigProblem problem = fx.host.admin().configProblems().get(0);
        assertTrue(problem.file().endsWith("svc.json"), problem.file());
        assertTrue(problem.reason().contains("not valid JSON"), problem.reason());
        assertEquals("red", colour(), "the previous config stays in force");

        Files.writeString(configFile, "[1, 2]");
        Await.until("the non-object is reported", Duration.ofSeconds(10),
                () -> fx.host.admin().configProblems().get(0).reason().contains("must be a JSON object"));
        assertEquals("red", colour());

        Files.writeString(configFile, "{\"colour\": \"green\"}");
        Await.until("a good file clears the problem", Duration.ofSeconds(10), () -> fx.host.admin().configProblems().isEmpty());
        assertEquals("green", colour());
    }

    private Object uncheckedColour() {
        try {
            return colour();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
