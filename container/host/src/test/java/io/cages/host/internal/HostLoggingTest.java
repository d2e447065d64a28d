package io.cages.host.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.rolling.TimeBasedRollingPolicy;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host's logging in code, against its XML twin in configs/, and its handling of the log properties. */
class HostLoggingTest {

    private static final Path EXAMPLE = Path.of(System.getProperty("cages.repo", "../.."), "configs/logback.example.xml");
    private static final List<String> PROPERTIES = List.of("cages.logs", "cages.logs.maxFileSize",
            "cages.logs.maxHistory", "cages.logs.totalSizeCap");

    @TempDir
    Path logs;

    private final List<LoggerContext> contexts = new ArrayList<>();

    @AfterEach
    void clearProperties() {
        contexts.forEach(LoggerContext::stop);
        PROPERTIES.forEach(System::clearProperty);
    }

    @Test
    void theCodeConfiguresWhatTheExampleXmlDoes() throws Exception {
        System.setProperty("cages.logs", logs.toString());
        assertEquals(describe(fromXml()), describe(fromCode()));
        System.setProperty("cages.logs.maxFileSize", "7MB");
        System.setProperty("cages.logs.maxHistory", "3");
        System.setProperty("cages.logs.totalSizeCap", "2GB");
        Map<String, String> withLimits = describe(fromCode());
        assertEquals(describe(fromXml()), withLimits);
        assertEquals("7 MB 3 2 GB", withLimits.get("FILE.limits"), "the properties reach the policy");
    }

    @Test
    void writesTheLogFileInTheLogsFolder() throws Exception {
        System.setProperty("cages.logs", logs.toString());
        fromCode().getLogger("some.test").info("a line for the file");
        String file = Files.readString(logs.resolve("cages.log"));
        assertTrue(file.contains(" INFO  [" + Thread.currentThread().getName() + "] some.test - a line for the file"), file);
    }

    @Test
    void aLineLoggedWhileARequestRunsCarriesItsTraceId() throws Exception {
        System.setProperty("cages.logs", logs.toString());
        for (boolean xml : new boolean[] {false, true}) {
            LoggerContext context = xml ? fromXml() : fromCode(); // one at a time: each opens the file
            context.getMDCAdapter().put("traceId", "4bf92f3577b34da6a3ce929d0e0e4736");
            try {
                context.getLogger("cage.hello").info("within a request");
            } finally {
                context.getMDCAdapter().remove("traceId");
            }
            context.getLogger("cage.hello").info("outside of one");
            context.stop();
            String file = Files.readString(logs.resolve("cages.log"));
            assertTrue(file.contains("] cage.hello [4bf92f3577b34da6a3ce929d0e0e4736] - within a request"), file);
            assertTrue(file.contains("] cage.hello - outside of one"), file);
            Files.delete(logs.resolve("cages.log"));
        }
    }

    @Test
    void aMalformedLimitIsReportedAndItsDefaultUsed() throws Exception {
        System.setProperty("cages.logs", logs.toString());
        System.setProperty("cages.logs.maxHistory", "two weeks");
        System.setProperty("cages.logs.maxFileSize", "huge");
        LoggerContext context = fromCode();
        assertEquals("50 MB 14 1 GB", describe(context).get("FILE.limits"));
        String file = Files.readString(logs.resolve("cages.log"));
        assertTrue(file.contains("-Dcages.logs.maxHistory=two weeks is not a number of days (0 or more); using 14"), file);
        assertTrue(file.contains("-Dcages.logs.maxFileSize=huge is not a size (e.g. 50MB, 2GB); using 50MB"), file);
    }

    @Test
    void aGivenLogbackXmlWins() {
        // This module's tests carry a logback-test.xml, which logback's own XML configurator would use.
        assertTrue(HostLogging.xmlGiven(HostLoggingTest.class.getClassLoader()), "logback-test.xml on the class path");
        assertFalse(HostLogging.xmlGiven(new ClassLoader(null) { }), "nothing given");
        System.setProperty("logback.configurationFile", "/etc/cages/logback.xml");
        try {
            assertTrue(HostLogging.xmlGiven(new ClassLoader(null) { }), "-Dlogback.configurationFile");
        } finally {
            System.clearProperty("logback.configurationFile");
        }
    }

    @Test
    void anEmbeddedHostKeepsLogbacksDefault() {
        LoggerContext context = newContext();
        HostLogging logging = new HostLogging();
        logging.setContext(context);
        assertEquals(ExecutionStatus.INVOKE_NEXT_IF_ANY, logging.configure(context, false));
        assertFalse(context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext(), "nothing configured");
    }

    private LoggerContext fromCode() {
        LoggerContext context = newContext();
        HostLogging logging = new HostLogging();
        logging.setContext(context);
        assertEquals(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY, logging.configure(context, true));
        return context;
    }

    private LoggerContext fromXml() throws Exception {
        LoggerContext context = newContext();
        JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(context);
        joran.doConfigure(EXAMPLE.toFile());
        return context;
    }

    /** A context as logback's SLF4J provider makes one (with an MDC, which every logged event copies). */
    private LoggerContext newContext() {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        contexts.add(context);
        return context;
    }

    /** Levels of every logger that has one, and each root appender's kind, patterns, file and limits. */
    private static Map<String, String> describe(LoggerContext context) throws Exception {
        Map<String, String> facts = new TreeMap<>();
        for (Logger logger : context.getLoggerList()) {
            if (logger.getLevel() != null) {
                facts.put("level " + logger.getName(), logger.getLevel().toString());
            }
        }
        Iterator<Appender<ILoggingEvent>> appenders = context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders();
        while (appenders.hasNext()) {
            Appender<ILoggingEvent> appender = appenders.next();
            String name = appender.getName();
            facts.put(name, appender.getClass().getName() + (appender.isStarted() ? " started" : " NOT STARTED"));
            if (appender instanceof OutputStreamAppender<ILoggingEvent> out && out.getEncoder() instanceof PatternLayoutEncoder encoder) {
                facts.put(name + ".pattern", encoder.getPattern());
            }
            if (appender instanceof RollingFileAppender<ILoggingEvent> file
                    && file.getRollingPolicy() instanceof SizeAndTimeBasedRollingPolicy<?> policy) {
                facts.put(name + ".file", file.getFile());
                facts.put(name + ".rolled", policy.getFileNamePattern());
                // logback has no getters for two of the limits
                facts.put(name + ".limits", field(SizeAndTimeBasedRollingPolicy.class, "maxFileSize", policy) + " "
                        + policy.getMaxHistory() + " " + field(TimeBasedRollingPolicy.class, "totalSizeCap", policy));
            }
        }
        return facts;
    }

    private static String field(Class<?> owner, String name, Object of) throws Exception {
        Field field = owner.getDeclaredField(name);
        field.setAccessible(true);
        return String.valueOf(field.get(of));
    }
}
