package dev.kindling.bench.harness;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * The facts of the machine a bench ran on, for its first line and its result file.
 *
 * <pre>{@code
 * System.out.println(Machine.describe());   // 2 cores, Java 17.0.15, load average 1.08
 * }</pre>
 */
public final class Machine {
    private Machine() {
    }

    /** The one-minute load average now (-1 where the system gives none). */
    public static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** {@code N cores, Java V, load average L}: the line a bench prints before it starts. */
    public static String describe() {
        return String.format(Locale.ROOT, "%d cores, Java %s, load average %.2f", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), loadAverage());
    }
}
