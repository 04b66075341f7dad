package dev.kindling.examples.recommender;

/**
 * ALS hyper-parameters.
 *
 * <pre>{@code
 * AlsParams params = new AlsParams(10, 10, 0.1, 42);
 * }</pre>
 *
 * @param rank     latent factors, 1..500
 * @param maxIter  iterations, 1..100
 * @param regParam regularization, &gt;= 0
 * @param seed     random seed of the split and of ALS
 */
public record AlsParams(int rank, int maxIter, double regParam, long seed) {
    public AlsParams {
        if (rank < 1 || rank > 500) {
            throw new IllegalArgumentException("ALS rank must be 1..500, got " + rank);
        }
        if (maxIter < 1 || maxIter > 100) {
            throw new IllegalArgumentException("ALS maxIter must be 1..100, got " + maxIter);
        }
        if (!(regParam >= 0)) {
            throw new IllegalArgumentException("ALS regParam must be >= 0, got " + regParam);
        }
    }
}
