package dev.kindling.examples.wordcount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TextGeneratorTest {
    @Test
    void linesAreReproducibleAndUseTheVocabularyWithTheMostFrequentFirst() {
        TextGenerator a = new TextGenerator(3);
        TextGenerator b = new TextGenerator(3);
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < 2000; i++) {
            String line = a.nextLine();
            assertThat(line).isEqualTo(b.nextLine());
            String[] words = line.split(" ");
            assertThat(words.length).isBetween(3, 10);
            for (String w : words) {
                assertThat(TextGenerator.WORDS).contains(w);
                seen.merge(w, 1, Integer::sum);
            }
        }
        assertThat(seen.get("the")).isGreaterThan(seen.get("of")).isGreaterThan(seen.getOrDefault("ember", 0));
    }

    @Test
    void theProducerRejectsARateOutOfRange() {
        assertThatThrownBy(() -> WordProducer.create("127.0.0.1:9", "t", 0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("rate must be from 1 to 100000 lines per second; got 0");
    }
}
