package dev.kindling.examples.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OrderGeneratorTest {
    @Test
    void ordersAreReproducibleAndOneInTenIsInvalidInTurn() {
        OrderGenerator a = new OrderGenerator(3);
        OrderGenerator b = new OrderGenerator(3);
        List<String> invalid = new ArrayList<>();
        for (int i = 1; i <= 300; i++) {
            String order = a.next();
            assertThat(order).isEqualTo(b.next());
            if (i % 10 == 0) {
                invalid.add(order);
            } else {
                assertThat(order).matches("\\{\"orderId\":\"o-" + i + "\",\"productId\":\"p-([1-9]|10)\",\"quantity\":[1-5]}");
            }
        }
        assertThat(invalid).hasSize(30);
        assertThat(invalid.get(0)).matches("\\{\"orderId\":\"o-10\",\"productId\":\"p-404\",\"quantity\":[1-5]}");
        assertThat(invalid.get(1)).matches("order o-20 of [1-5] x p-([1-9]|10)");
        assertThat(invalid.get(2)).matches("\\{\"orderId\":\"o-30\",\"productId\":\"p-([1-9]|10)\",\"quantity\":0}");
    }

    @Test
    void theProducerRejectsARateOutOfRange() {
        assertThatThrownBy(() -> OrderProducer.create("127.0.0.1:9", "t", 0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("rate must be from 1 to 100000 orders per second; got 0");
    }
}
