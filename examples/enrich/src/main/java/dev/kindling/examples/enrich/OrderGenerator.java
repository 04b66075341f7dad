package dev.kindling.examples.enrich;

import java.util.SplittableRandom;

/**
 * Generated orders as JSON text, for the embedded default's producer: {@code {"orderId":"o-1","productId":"p-7","quantity":2}}
 * with a product id from {@code p-1} to {@code p-10} (the sample products) and a quantity from 1 to 5. One order in ten
 * is invalid, in turn: a quantity of 0, an unknown product ({@code p-404}), or not JSON at all.
 *
 * <pre>{@code
 * OrderGenerator orders = new OrderGenerator(42);
 * String json = orders.next();   // e.g. {"orderId":"o-1","productId":"p-3","quantity":4}
 * }</pre>
 *
 * <p>Not thread-safe: one generator per thread.
 */
public final class OrderGenerator {
    private final SplittableRandom random;
    private long n;

    public OrderGenerator(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** The next order; its id is {@code o-N}, N counting from 1. */
    public String next() {
        n++;
        String id = "o-" + n;
        String product = "p-" + (1 + random.nextInt(10));
        int quantity = 1 + random.nextInt(5);
        if (n % 10 == 0) {
            return switch ((int) (n / 10 % 3)) {
                case 0 -> json(id, product, 0);
                case 1 -> json(id, "p-404", quantity);
                default -> "order " + id + " of " + quantity + " x " + product;
            };
        }
        return json(id, product, quantity);
    }

    static String json(String orderId, String productId, int quantity) {
        return "{\"orderId\":\"" + orderId + "\",\"productId\":\"" + productId + "\",\"quantity\":" + quantity + "}";
    }
}
