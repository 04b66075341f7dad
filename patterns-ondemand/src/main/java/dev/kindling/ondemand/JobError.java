package dev.kindling.ondemand;

import java.util.Objects;

/**
 * Why a job ended FAILED: {@code type} is {@code timeout}, {@code interrupted by restart},
 * {@code interrupted by shutdown}, {@code queue full on restart}, {@code unknown job} or the simple
 * class name of the exception the job threw; {@code message} says what happened.
 *
 * <pre>{@code
 * JobError e = status.error();
 * if ("timeout".equals(e.type())) retryWithSmallerInput();
 * }</pre>
 */
public record JobError(String type, String message) {
    /** The type of a job that ran past its timeout. */
    public static final String TIMEOUT = "timeout";
    /** The type of a job that was RUNNING when the service stopped without finishing it. */
    public static final String INTERRUPTED_BY_RESTART = "interrupted by restart";
    /** The type of a job still running when a graceful shutdown's grace period ended. */
    public static final String INTERRUPTED_BY_SHUTDOWN = "interrupted by shutdown";

    public JobError {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(message, "message");
    }
}
