package dev.kindling.service.internal;

import dev.kindling.ipp.Redactor;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.pattern.ConverterKeys;
import org.apache.logging.log4j.core.pattern.LogEventPatternConverter;
import org.apache.logging.log4j.core.pattern.PatternConverter;

/**
 * {@code %redacted} in a log4j2 pattern: the log message and, when there is one, the stack trace of
 * its throwable, passed through the {@link Redactor}, so that no log line carries a password or a
 * token — not even a driver's message deep in a cause. Kindling's shipped log configurations use it
 * instead of {@code %m%n%ex}:
 *
 * <pre>
 * appender.console.layout.pattern = %d{HH:mm:ss} %-5p %c{1}: %redacted%n
 * </pre>
 */
@Plugin(name = "KindlingRedactedMessage", category = PatternConverter.CATEGORY)
@ConverterKeys({"redacted"})
public final class RedactedMessageConverter extends LogEventPatternConverter {

    private RedactedMessageConverter() {
        super("redacted", "redacted");
    }

    /** Log4j's factory method. */
    public static RedactedMessageConverter newInstance(String[] options) {
        return new RedactedMessageConverter();
    }

    @Override
    public void format(LogEvent event, StringBuilder toAppendTo) {
        StringBuilder text = new StringBuilder(event.getMessage().getFormattedMessage());
        Throwable t = event.getThrown();
        if (t != null) {
            StringWriter trace = new StringWriter();
            t.printStackTrace(new PrintWriter(trace));
            text.append(System.lineSeparator()).append(trace.toString().stripTrailing());
        }
        toAppendTo.append(Redactor.redact(text.toString()));
    }

    @Override
    public boolean handlesThrowable() {
        return true;
    }
}
