package dev.kindling.examples.wordcount;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Generated English-like text: words drawn from a fixed vocabulary with a Zipf-like distribution
 * (the first words are the most frequent), so that the top words are stable and the tail is long.
 *
 * <pre>{@code
 * TextGenerator text = new TextGenerator(42);
 * String line = text.nextLine();   // e.g. "the river of light and the stone"
 * }</pre>
 *
 * <p>Not thread-safe: one generator per thread.
 */
public final class TextGenerator {
    /** The vocabulary, most frequent first. Written for this example. */
    public static final List<String> WORDS = List.of(
            "the", "of", "and", "a", "to", "in", "river", "stone", "light", "wind", "is", "was", "old", "road", "over",
            "green", "hill", "under", "bright", "morning", "quiet", "town", "long", "bridge", "field", "cold", "north",
            "harbor", "lantern", "garden", "silver", "winter", "market", "window", "forest", "summer", "shadow", "valley",
            "meadow", "island", "tower", "candle", "thunder", "orchard", "mill", "path", "rain", "snow", "cloud", "ember");

    private final SplittableRandom random;
    private final double[] cumulative;

    public TextGenerator(long seed) {
        this.random = new SplittableRandom(seed);
        double[] weights = new double[WORDS.size()];
        double total = 0;
        for (int i = 0; i < weights.length; i++) {
            total += 1.0 / (i + 1);
            weights[i] = total;
        }
        for (int i = 0; i < weights.length; i++) {
            weights[i] /= total;
        }
        this.cumulative = weights;
    }

    /** One word. */
    public String nextWord() {
        double u = random.nextDouble();
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] < u) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return WORDS.get(lo);
    }

    /** A line of 3 to 10 words separated by single spaces. */
    public String nextLine() {
        int n = 3 + random.nextInt(8);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                b.append(' ');
            }
            b.append(nextWord());
        }
        return b.toString();
    }
}
