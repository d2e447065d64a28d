package io.cages.resources.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.admin.ConfigProblem;
import io.cages.host.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A broken resources file and a broken cage config, edited while the host runs, are reported alike: at the
 * same log level, with the line, the column and what was expected there.
 */
class BrokenConfigFilesTest {

    @TempDir
    Path dir;
    Path resources;
    Path cageConfig;
    Host host;
    final Rejections rejections = new Rejections();

    /** The level of each "... rejected: ..." line the host logs, by the file it names. */
    static final class Rejections extends AppenderBase<ILoggingEvent> {
        final Map<Path, String> levels = new ConcurrentHashMap<>();

        @Override
        protected void append(ILoggingEvent e) {
            Object[] args = e.getArgumentArray();
            if (e.getMessage().contains("rejected") && args != null && args.length > 0 && args[0] instanceof Path file) {
                levels.put(file, e.getLevel().toString());
            }
        }
    }

    @BeforeEach
    void start() throws Exception {
        resources = dir.resolve("resources.json");
        Files.writeString(resources, "{\"resources\": {\"main\": {\"kind\": \"jdbc\", \"url\": \"jdbc:h2:mem:broken" + System.nanoTime()
                + ";DB_CLOSE_DELAY=-1\", \"username\": \"sa\", \"password\": \"\"}}}");
        cageConfig = dir.resolve("configs").resolve("svc.json");
        Files.createDirectories(cageConfig.getParent());
        Files.writeString(cageConfig, "{\"colour\": \"red\"}");
        Logger hostLog = (Logger) LoggerFactory.getLogger("io.cages.host");
        rejections.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
        rejections.start();
        hostLog.addAppender(rejections);
        host = Host.start(HostConfig.defaults().withName("h1").withWorkDir(dir.resolve("work"))
                .withCageConfigDir(cageConfig.getParent()).withResourcesFile(resources), List.of());
    }

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger("io.cages.host")).detachAppender(rejections);
        if (host != null) {
            host.close();
        }
    }

    @Test
    void bothAreReportedAtTheSameLevelWithLineColumnAndWhatWasExpected() throws Exception {
        replace(resources, "{\"resources\": {\n  \"main\": {\"kind\": \"jdbc\",}\n}}");
        replace(cageConfig, "{\"colour\": \"red\"\n \"size\": 3}");
        Await.until("both files rejected", Duration.ofSeconds(15), () -> rejections.levels.size() == 2);

        assertEquals(Map.of(resources, "ERROR", cageConfig, "ERROR"), rejections.levels);
        Map<String, String> reasons = new TreeMap<>();
        for (ConfigProblem problem : host.admin().configProblems()) {
            reasons.put(Path.of(problem.file()).getFileName().toString(), problem.reason());
        }
        assertEquals(Map.of(
                "resources.json", "not valid JSON at line 2, column 27: expected a field name in double quotes (a ',' before '}' is not allowed), found '}'",
                "svc.json", "not valid JSON at line 2, column 2: expected ',' or '}' after a field's value, found '\"'"), reasons);
    }

    private static void replace(Path file, String content) throws Exception {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
