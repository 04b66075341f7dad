package dev.kindling.ondemand;

import dev.kindling.ipp.KindlingException;
import java.util.Objects;

/**
 * Thrown by a params validator (or the params type's constructor) when a value is not allowed; the
 * service answers {@code 400} naming the field and the allowed values.
 *
 * <pre>{@code
 * if (p.samples() < 1 || p.samples() > maxSamples) {
 *     throw new InvalidParamsException("samples", "1.." + maxSamples, p.samples());
 * }
 * }</pre>
 */
public class InvalidParamsException extends KindlingException {
    private static final long serialVersionUID = 1L;
    private final String field;
    private final String allowed;

    /**
     * @param field   the name of the field, as the caller wrote it in JSON or the query
     * @param allowed the allowed values, e.g. {@code 1..1000} or {@code csv, json}
     * @param given   the value that was given (shown in the message), may be null
     */
    public InvalidParamsException(String field, String allowed, Object given) {
        super("'" + Objects.requireNonNull(field, "field") + "' is " + given + "; allowed: "
                + Objects.requireNonNull(allowed, "allowed"));
        this.field = field;
        this.allowed = allowed;
    }

    public String field() {
        return field;
    }

    public String allowed() {
        return allowed;
    }
}
