package dev.kindling.connect;

import java.io.Serializable;
import java.util.Objects;

/**
 * A password or token. Its {@code toString()} never shows the value; only {@link #reveal()} does,
 * at the one place that hands it to a driver.
 *
 * <pre>{@code
 * Secret password = options.secret("password").orElseThrow();
 * connection = DriverManager.getConnection(url, user, password.reveal());
 * }</pre>
 *
 * <p>Every value is registered with the {@link dev.kindling.ipp.Redactor}, so that it is hidden in
 * any message that leaves the process. Values come from an option ({@code password=...}), an environment variable it names
 * ({@code password.env=PGPASSWORD}) or a file it names ({@code password.file=/run/secrets/pg}).
 */
public final class Secret implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String value;

    private Secret(String value) {
        this.value = Objects.requireNonNull(value, "value");
        dev.kindling.ipp.Redactor.register(value);
    }

    public static Secret of(String value) {
        return new Secret(value);
    }

    /** The value itself; pass it straight to the library that needs it and never log it. */
    public String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return "****";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && s.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }
}
