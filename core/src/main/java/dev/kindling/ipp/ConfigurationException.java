package dev.kindling.ipp;

/**
 * A setting, URI, option or pipeline definition is wrong. Never retryable: the message says what
 * to change.
 *
 * <pre>{@code
 * throw new ConfigurationException("option 'format' of file:/data must be one of csv, json, parquet, text, orc; got 'xls'");
 * }</pre>
 */
public class ConfigurationException extends KindlingException {
    private static final long serialVersionUID = 1L;

    public ConfigurationException(String message) {
        super(message);
    }

    public ConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
