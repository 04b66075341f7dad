package dev.kindling.continuous;

/**
 * Hooks into a cycle, called on the thread that runs the cycle. Meant for tests (a crash test halts
 * the JVM in {@link #afterPublish}, between the sink's commit and the watermark's) and for
 * observability; production logic never depends on a listener.
 *
 * <pre>{@code
 * ContinuousRunner runner = ContinuousRunner.builder(pipeline)
 *         .watermarkStore(store)
 *         .listener(new CycleListener() {
 *             public void afterPublish(long batchId, CommittedBatch pending) {
 *                 Runtime.getRuntime().halt(137);   // simulate a crash before the watermark commit
 *             }
 *         })
 *         .build();
 * }</pre>
 *
 * <p>An exception thrown by {@link #beforeRead} or {@link #afterPublish} fails the cycle like any
 * other failure (the watermark is then not committed); an {@link Error} also fails the runner. An
 * exception thrown by {@link #afterCycle} is logged and does not change the cycle's result.
 */
public interface CycleListener {
    /** A cycle found new data and is about to read it as batch {@code batchId}. */
    default void beforeRead(long batchId) {
    }

    /**
     * The sink committed batch {@code batchId}; {@code pending} is the progress about to be committed
     * ({@code null} in the available-now mode, where Spark's checkpoint holds the progress).
     */
    default void afterPublish(long batchId, CommittedBatch pending) {
    }

    /** The cycle ended, whatever its outcome. */
    default void afterCycle(CycleReport report) {
    }
}
