package dev.kindling.ipp;

/**
 * A failure that may pass: a database or broker that cannot be reached, a timeout. Runners retry
 * the work with backoff.
 *
 * <pre>{@code
 * throw new TransientException("PostgreSQL at localhost:5432 refused the connection", cause);
 * }</pre>
 */
public class TransientException extends KindlingException {
    private static final long serialVersionUID = 1L;

    public TransientException(String message) {
        super(message);
    }

    public TransientException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean retryable() {
        return true;
    }
}
