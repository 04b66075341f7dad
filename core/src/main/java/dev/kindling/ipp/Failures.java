package dev.kindling.ipp;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.sql.SQLTransientException;
import java.sql.SQLRecoverableException;
import java.util.concurrent.TimeoutException;

/**
 * Classifies any throwable the way runners need it: retry or fail.
 *
 * <pre>{@code
 * if (Failures.retryable(error)) backoffAndRetry(); else markFailed(error);
 * }</pre>
 */
public final class Failures {
    private Failures() {
    }

    /**
     * {@code true} when the throwable or one of its causes is a {@link KindlingException} that says it
     * is retryable, or a network, timeout or transient SQL failure; {@code false} for a
     * {@link ConfigurationException} anywhere in the chain and for everything else.
     */
    public static boolean retryable(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConfigurationException) {
                return false;
            }
            if (t instanceof KindlingException k) {
                return k.retryable();
            }
            if (t instanceof ConnectException || t instanceof SocketTimeoutException
                    || t instanceof TimeoutException || t instanceof SQLTransientException
                    || t instanceof SQLRecoverableException) {
                return true;
            }
            if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null
                    && sql.getSQLState().startsWith("08")) {
                return true; // SQL state class 08: connection exception
            }
            if (t instanceof IOException && t.getClass() == IOException.class) {
                return true;
            }
        }
        return false;
    }

    /** The innermost cause's message, or the class name when it has none: a short text for users. */
    public static String rootMessage(Throwable error) {
        Throwable t = error;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }
}
