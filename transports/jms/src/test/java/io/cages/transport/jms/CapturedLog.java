package io.cages.transport.jms;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * The lines a host's log would show (INFO and above) of one logger and its children, each as
 * {@code "<logger> <LEVEL> <message>"} with the time it was written, from {@link #attach()} to {@link #detach()}.
 * (Logback's ListAppender keeps a plain list, which a test cannot read while other threads log.)
 */
public final class CapturedLog extends AppenderBase<ILoggingEvent> {

    private record Line(long nanos, String text) {
    }

    private final String loggerName;
    private final List<Line> lines = new CopyOnWriteArrayList<>();

    public CapturedLog(String loggerName) {
        this.loggerName = loggerName;
    }

    @Override
    protected void append(ILoggingEvent e) {
        if (e.getLevel().isGreaterOrEqual(Level.INFO)) {
            lines.add(new Line(System.nanoTime(), e.getLoggerName() + " " + e.getLevel() + " " + e.getFormattedMessage()));
        }
    }

    public CapturedLog attach() {
        Logger logger = logger();
        if (!logger.isInfoEnabled()) {
            throw new IllegalStateException("the test log config must let INFO of " + loggerName + " through, to count its lines");
        }
        setContext((LoggerContext) LoggerFactory.getILoggerFactory());
        start();
        logger.addAppender(this);
        return this;
    }

    public void detach() {
        logger().detachAppender(this);
        stop();
    }

    /** Lines written since {@code sinceNanos} (System.nanoTime). */
    public List<String> lines(long sinceNanos) {
        return lines.stream().filter(l -> l.nanos() - sinceNanos >= 0).map(Line::text).toList();
    }

    public List<String> lines() {
        return lines.stream().map(Line::text).toList();
    }

    private Logger logger() {
        return (Logger) LoggerFactory.getLogger(loggerName);
    }
}
