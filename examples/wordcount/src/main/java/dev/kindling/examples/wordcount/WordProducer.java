package dev.kindling.examples.wordcount;

import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends generated text lines ({@link TextGenerator}) into a Kafka topic at a fixed rate.
 *
 * <pre>
 * bin/run-example wordcount ...   # the embedded default runs one for you
 * java -cp APP_JAR:SPARK_JARS dev.kindling.examples.wordcount.WordProducer 127.0.0.1:9092 words 100 [COUNT] [SEED]
 * </pre>
 *
 * <p>Arguments: bootstrap servers, topic, lines per second (1..100000), optionally how many lines
 * (default: until stopped) and a random seed (default 1). {@link #run} blocks; {@link #stop} (from
 * another thread) ends it after the current line. Lines are sent without a key, acks=all.
 */
public final class WordProducer implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final int ratePerSecond;
    private final TextGenerator text;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final Clock clock;

    /** The time source the producer paces itself by; tests give one they control. */
    interface Clock {
        /** Now, in nanoseconds, as {@link System#nanoTime()}. */
        long nanoTime();

        /** Waits {@code nanos} nanoseconds. */
        void sleep(long nanos) throws InterruptedException;
    }

    private static final Clock SYSTEM = new Clock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleep(long nanos) throws InterruptedException {
            TimeUnit.NANOSECONDS.sleep(nanos);
        }
    };

    public WordProducer(String bootstrapServers, String topic, int ratePerSecond, long seed) {
        this(bootstrapServers, topic, ratePerSecond, seed, SYSTEM);
    }

    WordProducer(String bootstrapServers, String topic, int ratePerSecond, long seed, Clock clock) {
        if (ratePerSecond < 1 || ratePerSecond > 100_000) {
            throw new IllegalArgumentException("rate must be from 1 to 100000 lines per second; got " + ratePerSecond);
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "wordcount-producer");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        this.producer = new KafkaProducer<>(p);
        this.topic = topic;
        this.ratePerSecond = ratePerSecond;
        this.text = new TextGenerator(seed);
        this.clock = clock;
    }

    /** Sends {@code count} lines (or until {@link #stop} when {@code count} is negative) at the rate; returns lines sent. */
    public long run(long count) throws InterruptedException {
        long intervalNanos = TimeUnit.SECONDS.toNanos(1) / ratePerSecond;
        long next = clock.nanoTime();
        long sent = 0;
        while (!stopped.get() && (count < 0 || sent < count)) {
            producer.send(new ProducerRecord<>(topic, null, text.nextLine().getBytes(StandardCharsets.UTF_8)));
            sent++;
            next += intervalNanos;
            long wait = next - clock.nanoTime();
            if (wait > 0) {
                clock.sleep(wait);
            }
        }
        producer.flush();
        return sent;
    }

    public void stop() {
        stopped.set(true);
    }

    /**
     * Stops and closes the producer without waiting for lines still in flight: {@link #run} flushes when it
     * ends normally, and a producer stopped while its broker is gone must not hang on them.
     */
    @Override
    public void close() {
        stop();
        producer.close(java.time.Duration.ZERO);
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3 || args.length > 5) {
            System.err.println("usage: WordProducer BOOTSTRAP_SERVERS TOPIC LINES_PER_SECOND [COUNT] [SEED]");
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
            System.err.println("LINES_PER_SECOND, COUNT and SEED must be whole numbers: " + e.getMessage());
            System.exit(2);
            return;
        }
        try (WordProducer producer = new WordProducer(args[0], args[1], rate, seed)) {
            Runtime.getRuntime().addShutdownHook(new Thread(producer::stop));
            long sent = producer.run(count);
            System.out.println("sent " + sent + " lines to " + args[1]);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
    }
}
