package dev.kindling.ondemand;

import java.util.Objects;

/**
 * Why a job ended FAILED: {@code type} is {@code timeout}, {@code interrupted by restart},
 * {@code interrupted by shutdown}, {@code replica lost}, {@code result too large}, {@code queue full on restart},
 * {@code unknown job} or the simple
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

    /**
     * The type of a job whose replica stopped renewing its lease while running it (the process died or lost
     * the job store) and that had no attempt left ({@code kindling.ondemand.max-attempts}).
     */
    public static final String REPLICA_LOST = "replica lost";
    /** The type of a job whose result is larger than {@code kindling.ondemand.max-result-bytes} (with a job store). */
    public static final String RESULT_TOO_LARGE = "result too large";

    public JobError {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(message, "message");
    }
}
