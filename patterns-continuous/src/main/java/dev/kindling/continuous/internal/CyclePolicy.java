package dev.kindling.continuous.internal;

import dev.kindling.service.Backoff;
import java.time.Duration;

/**
 * When cycles run and what failures do, resolved when the runner starts (builder options first,
 * then the settings, then the defaults).
 *
 * @param interval             pause between the end of a successful cycle and the start of the next
 * @param backoff              the wait after failures in a row
 * @param unreadyAfterFailures failures in a row that turn readiness down (state RECOVERING)
 * @param stopAfterFailures    failures in a row that fail the runner; 0 = never
 * @param startPaused          whether the runner starts without scheduled cycles
 */
public record CyclePolicy(Duration interval, Backoff backoff, int unreadyAfterFailures, int stopAfterFailures, boolean startPaused) {
}
