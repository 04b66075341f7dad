package dev.kindling.examples.enrich;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends generated orders ({@link OrderGenerator}) into a Kafka topic at a fixed rate, keyed by nothing, acks=all.
 *
 * <pre>
 * bin/run-example enrich ...   # the embedded default runs one for you
 * java -cp APP_JAR:SPARK_JARS dev.kindling.examples.enrich.OrderProducer 127.0.0.1:9092 orders 10 [COUNT] [SEED]
 * </pre>
 *
 * <p>Arguments: bootstrap servers, topic, orders per second (1..100000), optionally how many orders (default: until
 * stopped) and a random seed (default 1). {@link #run} blocks; {@link #stop} (from another thread) ends it after the
 * current order.
 */
public final class OrderProducer implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final int ratePerSecond;
    private final OrderGenerator orders;
    private final AtomicBoolean stopped = new AtomicBoolean();

    public OrderProducer(String bootstrapServers, String topic, int ratePerSecond, long seed) {
        if (ratePerSecond < 1 || ratePerSecond > 100_000) {
            throw new IllegalArgumentException("rate must be from 1 to 100000 orders per second; got " + ratePerSecond);
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "enrich-order-producer");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        this.producer = new KafkaProducer<>(p);
        this.topic = topic;
        this.ratePerSecond = ratePerSecond;
        this.orders = new OrderGenerator(seed);
    }

    /** Sends {@code count} orders (or until {@link #stop} when {@code count} is negative) at the rate; returns orders sent. */
    public long run(long count) throws InterruptedException {
        long intervalNanos = TimeUnit.SECONDS.toNanos(1) / ratePerSecond;
        long next = System.nanoTime();
        long sent = 0;
        while (!stopped.get() && (count < 0 || sent < count)) {
            producer.send(new ProducerRecord<>(topic, null, orders.next().getBytes(StandardCharsets.UTF_8)));
            sent++;
            next += intervalNanos;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
        }
        producer.flush();
        return sent;
    }

    public void stop() {
        stopped.set(true);
    }

    /** Stops and closes the producer without waiting for orders in flight (a producer whose broker is gone must not hang). */
    @Override
    public void close() {
        stop();
        producer.close(Duration.ZERO);
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3 || args.length > 5) {
            System.err.println("usage: OrderProducer BOOTSTRAP_SERVERS TOPIC ORDERS_PER_SECOND [COUNT] [SEED]");
            System.exit(2);
        }
        int rate;
        long count;
        long seed;
        try {
            rate = Integer.parseInt(args[2]);
            count = args.length > 3 ? Long.parseLong(args[3]) : -1;
            seed = args.length > 4 ? Long.parseLong(args[4]) : 1;
        } catch (NumberFormatException e) {
            System.err.println("ORDERS_PER_SECOND, COUNT and SEED must be whole numbers: " + e.getMessage());
            System.exit(2);
            return;
        }
        try (OrderProducer producer = new OrderProducer(args[0], args[1], rate, seed)) {
            Runtime.getRuntime().addShutdownHook(new Thread(producer::stop));
            long sent = producer.run(count);
            System.out.println("sent " + sent + " orders to " + args[1]);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
    }
}
