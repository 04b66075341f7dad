package dev.kindling.ondemand;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

/** Records the log events that reach the root logger (WARN and up, and Kindling's INFO: see log4j2-test.properties). */
final class LogRecorder extends AbstractAppender {
    /** One recorded event. */
    record Line(Level level, String logger, String message) {
    }

    private final List<Line> lines = new CopyOnWriteArrayList<>();

    private LogRecorder() {
        super("ondemand-test-recorder", null, null, true, Property.EMPTY_ARRAY);
    }

    /** A recorder attached to the root logger from now on. */
    static LogRecorder attach() {
        LogRecorder r = new LogRecorder();
        r.start();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().addAppender(r, Level.ALL, null);
        context.updateLoggers();
        return r;
    }

    void detach() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().removeAppender(getName());
        context.updateLoggers();
        stop();
    }

    @Override
    public void append(LogEvent event) {
        lines.add(new Line(event.getLevel(), event.getLoggerName(), event.getMessage().getFormattedMessage()));
    }

    /** The messages that contain {@code text}. */
    List<Line> containing(String text) {
        return lines.stream().filter(l -> l.message().contains(text)).toList();
    }

    /** The events of loggers whose name starts with {@code prefix}, at {@code level} or worse. */
    List<Line> from(String prefix, Level level) {
        return lines.stream().filter(l -> l.logger().startsWith(prefix) && l.level().isMoreSpecificThan(level)).toList();
    }
}
