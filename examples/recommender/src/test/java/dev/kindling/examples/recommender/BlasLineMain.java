package dev.kindling.examples.recommender;

/** Chooses this JVM's BLAS as the recommender does, then runs one BLAS call, for {@link NativeBlasIT}. */
public final class BlasLineMain {
    private BlasLineMain() {
    }

    public static void main(String[] args) {
        NativeBlas.configure();
        double dot = dev.ludovic.netlib.blas.BLAS.getInstance().ddot(3, new double[] {1, 2, 3}, 1, new double[] {4, 5, 6}, 1);
        System.out.println("ddot=" + dot);
    }
}
