package dev.kindling.ipp;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * The one rule every runner uses to tell a passing failure from a permanent one, and the one walk
 * over a cause chain.
 *
 * <pre>{@code
 * switch (Failures.classify(error)) {
 *     case CONFIGURATION -> markFailed(error);      // retrying cannot help: fix the setup
 *     case TRANSIENT -> backoffAndRetry();           // a database or broker that is away for now
 *     case PERMANENT -> failThisUnitOfWork(error);   // this batch or job failed; the next may not
 * }
 * }</pre>
 *
 * <p>The rule, applied to the error and each of its causes, outermost first; the first that
 * decides wins:
 * <ol>
 *   <li>a {@link ConfigurationException} anywhere in the chain: {@link Kind#CONFIGURATION};</li>
 *   <li>a {@link KindlingException}: transient when it says it is {@linkplain KindlingException#retryable() retryable};</li>
 *   <li>an {@link SQLException}, or a Spark error, whose SQL state is transient (see {@link #isTransientSqlState}):
 *       {@link Kind#TRANSIENT};</li>
 *   <li>a Kafka {@code RetriableException}, a connect, socket-timeout, unknown-host or no-route failure, a
 *       {@link TimeoutException}, {@link SQLTransientException}, {@link SQLRecoverableException}, or a plain
 *       {@link IOException}: {@link Kind#TRANSIENT};</li>
 *   <li>anything else: {@link Kind#PERMANENT}.</li>
 * </ol>
 */
public final class Failures {
    private static final String KAFKA_RETRIABLE = "org.apache.kafka.common.errors.RetriableException";
    private static final Set<String> TRANSIENT_STATE_CLASSES = Set.of("08", "40", "53", "HYT");
    private static final Set<String> TRANSIENT_STATES = Set.of("57P01", "57P02", "57P03", "HYT00", "HYT01");

    private Failures() {
    }

    /** What a runner should do about a failure. */
    public enum Kind {
        /** The setup is wrong; retrying cannot help. The runner moves to FAILED. */
        CONFIGURATION,
        /** A dependency is away for now; retry with backoff. */
        TRANSIENT,
        /** This unit of work failed; retrying the same input is unlikely to help. */
        PERMANENT
    }

    /** Classifies {@code error} by the rule in the class javadoc. */
    public static Kind classify(Throwable error) {
        List<Throwable> chain = causes(error);
        for (Throwable t : chain) {
            if (t instanceof ConfigurationException) {
                return Kind.CONFIGURATION;
            }
        }
        for (Throwable t : chain) {
            if (t instanceof KindlingException k) {
                return k.retryable() ? Kind.TRANSIENT : Kind.PERMANENT;
            }
            if (t instanceof SQLException sql && isTransientSqlState(sql.getSQLState())) {
                return Kind.TRANSIENT;
            }
            if (t instanceof org.apache.spark.SparkThrowable spark && isTransientSqlState(spark.getSqlState())) {
                return Kind.TRANSIENT;
            }
            if (isKafkaRetriable(t) || t instanceof ConnectException || t instanceof SocketTimeoutException
                    || t instanceof UnknownHostException || t instanceof NoRouteToHostException
                    || t instanceof TimeoutException || t instanceof SQLTransientException
                    || t instanceof SQLRecoverableException || t.getClass() == IOException.class) {
                return Kind.TRANSIENT;
            }
        }
        return Kind.PERMANENT;
    }

    /** Whether running the same work again may succeed: {@code classify(error) == TRANSIENT}. */
    public static boolean retryable(Throwable error) {
        return classify(error) == Kind.TRANSIENT;
    }

    /** Whether a {@link ConfigurationException} is anywhere in the chain. */
    public static boolean isConfiguration(Throwable error) {
        return classify(error) == Kind.CONFIGURATION;
    }

    /**
     * Whether a SQL state says the failure may pass: class 08 (connection exception), 40 (transaction
     * rollback: serialization failure, deadlock), 53 (insufficient resources), HYT (timeouts) and
     * PostgreSQL's 57P01, 57P02 and 57P03 (the server is shutting down, crashed, or not accepting
     * connections yet).
     */
    public static boolean isTransientSqlState(String state) {
        if (state == null || state.length() < 2) {
            return false;
        }
        return TRANSIENT_STATES.contains(state) || TRANSIENT_STATE_CLASSES.contains(state.substring(0, 2))
                || state.startsWith("HYT");
    }

    /**
     * The exception a JDBC failure becomes: a {@link TransientException} when its SQL state is
     * transient, else a {@link KindlingException}. {@code message} says what was being done and must
     * not hold a secret; the driver's message is added.
     */
    public static KindlingException fromSql(String message, SQLException e) {
        String text = message + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                + (e.getSQLState() == null ? "" : " (SQL state " + e.getSQLState() + ")");
        return isTransientSqlState(e.getSQLState()) || e instanceof SQLTransientException || e instanceof SQLRecoverableException
                ? new TransientException(text, e)
                : new KindlingException(text, e);
    }

    /** The error and its causes, outermost first; a cause seen twice ends the walk. */
    public static List<Throwable> causes(Throwable error) {
        List<Throwable> out = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = error; t != null && seen.add(t); t = t.getCause()) {
            out.add(t);
        }
        return out;
    }

    /** The outermost throwable of {@code type} in the chain. */
    public static <T extends Throwable> Optional<T> find(Throwable error, Class<T> type) {
        for (Throwable t : causes(error)) {
            if (type.isInstance(t)) {
                return Optional.of(type.cast(t));
            }
        }
        return Optional.empty();
    }

    /** The innermost cause's message, or its class name when it has none: a short text for users, redacted. */
    public static String rootMessage(Throwable error) {
        List<Throwable> chain = causes(error);
        Throwable t = chain.get(chain.size() - 1);
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : Redactor.redact(m);
    }

    /**
     * A one-line summary: the outermost message, and the root cause's when it adds something
     * ({@code "cycle failed (cause: connection refused)"}).
     */
    public static String summary(Throwable error) {
        String outer = error.getMessage() == null || error.getMessage().isBlank() ? error.getClass().getSimpleName()
                : Redactor.redact(error.getMessage());
        String root = rootMessage(error);
        return outer.contains(root) ? outer : outer + " (cause: " + root + ")";
    }

    private static boolean isKafkaRetriable(Throwable t) {
        for (Class<?> c = t.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            if (c.getName().equals(KAFKA_RETRIABLE)) {
                return true;
            }
        }
        return false;
    }
}
