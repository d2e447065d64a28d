package io.cages.host.internal;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.util.FileSize;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The host's logging when no logback XML is given: one line per event on stdout, and the same lines in a
 * rotating file. {@code configs/logback.example.xml} is the same configuration as XML, for an operator who
 * wants to change more than the documented properties (a test keeps the two equal).
 *
 * <p>Why in code: logback's XML configurator (Joran) took 0.3-0.45 s of every host start, on the start's
 * critical path, for a configuration that never changes; configuring the same appenders in code takes a
 * fraction of that. Logback finds this class through {@code META-INF/services} and runs it before its own XML
 * configurator (configurators found that way come first, whatever their rank), so this one steps aside when an
 * XML is given: {@code -Dlogback.configurationFile}, or a {@code logback.xml} / {@code logback-test.xml} on the
 * class path. Those then configure logging as logback always did.
 *
 * <p>System properties: {@code cages.logs} (the folder, default {@code logs}), {@code cages.logs.maxFileSize}
 * (default 50MB), {@code cages.logs.maxHistory} (days, default 14), {@code cages.logs.totalSizeCap} (default
 * 1GB). A malformed value is reported once the logging runs, and its default used: a typo in a log limit
 * should not keep a host from starting.
 *
 * <p>Only the host process ({@code io.cages.host.Main}) asks for it: a test or an application embedding a host
 * keeps logback's own default (the console), instead of finding a {@code logs/} folder in its project.
 */
public final class HostLogging extends ContextAwareBase implements Configurator {

    /**
     * A line logged while a request runs carries its trace id in brackets after the logger (the MDC's
     * {@code traceId}, see {@link io.cages.host.spi.TraceContext}); other lines have no brackets at all.
     */
    static final String TRACE = "%replace( [%X{traceId}]){' \\[\\]$', ''}";
    static final String CONSOLE_PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{24}" + TRACE + " - %msg%n";
    /** Files outlive the day they were written: their lines carry the date. */
    static final String FILE_PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{36}" + TRACE + " - %msg%n";
    /**
     * Chatty loggers: their lines say nothing an operator acts on (Artemis audits every management read; JGroups'
     * AUTH warns through the flock's token class on every retry of a refused joiner, which the flock already logs
     * once per host and reason). The same as configs/logback.example.xml.
     */
    static final Map<String, Level> QUIETER = Map.of(
            "org.apache.felix", Level.WARN,
            "io.netty", Level.WARN,
            "org.apache.activemq.audit", Level.WARN,
            "org.jgroups", Level.WARN,
            "io.cages.transport.flock.internal.FlockAuth", Level.ERROR);

    /** Set by the host's entry point before logging starts; read by logback's configuration, on another thread. */
    private static volatile boolean hostProcess;

    /** Makes this the logging of this process, unless a logback XML is given. Call before the first logger. */
    public static void useForThisProcess() {
        hostProcess = true;
    }

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        return configure(context, hostProcess && !xmlGiven(HostLogging.class.getClassLoader()));
    }

    /** True when logback would find an XML configuration of its own (where its XML configurator looks). */
    static boolean xmlGiven(ClassLoader loader) {
        return System.getProperty("logback.configurationFile") != null
                || loader.getResource("logback-test.xml") != null || loader.getResource("logback.xml") != null;
    }

    /** As logback calls it, with the process's flag given: the tests cannot unset it. */
    ExecutionStatus configure(LoggerContext context, boolean forHostProcess) {
        if (!forHostProcess) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        List<String> problems = new ArrayList<>();
        String logs = System.getProperty("cages.logs", "logs");

        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("OUT");
        console.setEncoder(encoder(context, CONSOLE_PATTERN));
        console.start();

        RollingFileAppender<ILoggingEvent> file = new RollingFileAppender<>();
        file.setContext(context);
        file.setName("FILE");
        file.setFile(logs + "/cages.log");
        SizeAndTimeBasedRollingPolicy<ILoggingEvent> rolling = new SizeAndTimeBasedRollingPolicy<>();
        rolling.setContext(context);
        rolling.setParent(file);
        rolling.setFileNamePattern(logs + "/cages.%d{yyyy-MM-dd}.%i.log.gz");
        rolling.setMaxFileSize(size("cages.logs.maxFileSize", "50MB", problems));
        rolling.setMaxHistory(days("cages.logs.maxHistory", 14, problems));
        rolling.setTotalSizeCap(size("cages.logs.totalSizeCap", "1GB", problems));
        rolling.start();
        file.setRollingPolicy(rolling);
        file.setEncoder(encoder(context, FILE_PATTERN));
        file.start();

        QUIETER.forEach((name, level) -> context.getLogger(name).setLevel(level));
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(console);
        root.addAppender(file);

        Logger log = context.getLogger(HostLogging.class);
        problems.forEach(log::warn);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    private static PatternLayoutEncoder encoder(LoggerContext context, String pattern) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(pattern);
        encoder.start();
        return encoder;
    }

    private static FileSize size(String property, String fallback, List<String> problems) {
        String value = System.getProperty(property, fallback);
        try {
            return FileSize.valueOf(value);
        } catch (IllegalArgumentException e) {
            problems.add("-D" + property + "=" + value + " is not a size (e.g. 50MB, 2GB); using " + fallback);
            return FileSize.valueOf(fallback);
        }
    }

    private static int days(String property, int fallback, List<String> problems) {
        String value = System.getProperty(property);
        if (value == null) {
            return fallback;
        }
        try {
            int days = Integer.parseInt(value.trim());
            if (days >= 0) {
                return days;
            }
        } catch (NumberFormatException notANumber) {
            // reported below
        }
        problems.add("-D" + property + "=" + value + " is not a number of days (0 or more); using " + fallback);
        return fallback;
    }
}
