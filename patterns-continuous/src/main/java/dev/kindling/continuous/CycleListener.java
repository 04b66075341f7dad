package dev.kindling.continuous;

/**
 * Hooks into a cycle, called on the runner's cycle thread. Meant for tests (a crash test halts the
 * JVM in {@link #afterPublish}, between the sink's commit and the watermark's) and for
 * observability; production logic never depends on a listener.
 *
 * <pre>{@code
 * ContinuousRunner runner = ContinuousRunner.builder(spark, pipeline)
 *         .watermarkStore(store)
 *         .listener(new CycleListener() {
 *             public void afterPublish(long batchId, Progress pending) {
 *                 Runtime.getRuntime().halt(137);   // simulate a crash before the watermark commit
 *             }
 *         })
 *         .build();
 * }</pre>
 *
 * <p>An exception thrown by a listener fails the cycle like any other failure (the watermark is
 * then not committed).
 */
public interface CycleListener {
    /** A cycle found new data and is about to read it as batch {@code batchId}. */
    default void beforeRead(long batchId) {
    }

    /**
     * The sink committed batch {@code batchId}; {@code pending} is the progress about to be committed
     * ({@code null} in the available-now mode, where Spark's checkpoint holds the progress).
     */
    default void afterPublish(long batchId, Progress pending) {
    }

    /** The cycle ended, whatever its outcome. */
    default void afterCycle(CycleReport report) {
    }
}
