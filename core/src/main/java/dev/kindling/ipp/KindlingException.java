package dev.kindling.ipp;

/**
 * The root of Kindling's small exception hierarchy. Its type tells a runner what to do:
 *
 * <ul>
 *   <li>{@link ConfigurationException} — the service is set up wrongly; fail fast, retrying cannot help;</li>
 *   <li>{@link TransientException} — a passing failure (a broker or database unreachable); retry with backoff;</li>
 *   <li>any other {@code KindlingException} — a permanent failure of this unit of work; fail it.</li>
 * </ul>
 *
 * <pre>{@code
 * try {
 *     pipeline.runBatch(spark, 0);
 * } catch (KindlingException e) {
 *     if (e.retryable()) scheduleRetry(); else fail(e);
 * }
 * }</pre>
 *
 * <p>Messages are written for the user: they say what went wrong and how to fix it, and pass
 * through the {@link Redactor}, so they never carry a password or token.
 */
public class KindlingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An exception with {@code message}, passed through the {@link Redactor}. */
    public KindlingException(String message) {
        super(Redactor.redact(message));
    }

    /** An exception with {@code message}, passed through the {@link Redactor}, and its cause. */
    public KindlingException(String message, Throwable cause) {
        super(Redactor.redact(message), cause);
    }

    /** Whether running the same work again may succeed. {@code false} unless a subclass says otherwise. */
    public boolean retryable() {
        return false;
    }
}
