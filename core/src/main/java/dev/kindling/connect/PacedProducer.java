package dev.kindling.connect;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends generated records into a Kafka topic at a fixed rate, for demos and benchmarks: the producer of an example's
 * sample data, against its embedded broker or a real one. Each record's value is the next string of {@code values}
 * (UTF-8), without a key, {@code acks=all}.
 *
 * <pre>{@code
 * SplittableRandom random = new SplittableRandom(1);
 * try (PacedProducer producer = new PacedProducer("127.0.0.1:9092", "numbers", 100, "numbers", "numbers-producer",
 *         () -> Integer.toString(random.nextInt(1000)))) {
 *     producer.run(1_000);   // about 10 s: a record every 10 ms
 * }
 * }</pre>
 *
 * <p>{@link #run} blocks; {@link #stop} (from another thread) ends it after the current record, and interrupting the
 * thread ends its wait for the next one at once. The rate goes from 1 to {@value #MAX_RATE} records a second; when a
 * send falls behind, the next ones go without waiting until the producer is back on its schedule. A command that sends
 * generated records gives its arguments to {@link #runCommand}.
 */
public final class PacedProducer implements AutoCloseable {
    /** The highest rate, in records a second. */
    public static final int MAX_RATE = 100_000;

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final int ratePerSecond;
    private final String clientId;
    private final Supplier<String> values;
    private final Clock clock;
    private final AtomicBoolean stopped = new AtomicBoolean();

    /** The time source the producer paces itself by; tests give one they control. */
    public interface Clock {
        /** The system's: {@link System#nanoTime()}, and a sleep of the thread. */
        Clock SYSTEM = new Clock() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void sleep(long nanos) throws InterruptedException {
                TimeUnit.NANOSECONDS.sleep(nanos);
            }
        };

        /** Now, in nanoseconds, as {@link System#nanoTime()}. */
        long nanoTime();

        /** Waits {@code nanos} nanoseconds. */
        void sleep(long nanos) throws InterruptedException;
    }

    /** Makes the producer of a command from its arguments; {@link #runCommand} calls it. */
    @FunctionalInterface
    public interface Factory {
        PacedProducer create(String bootstrapServers, String topic, int ratePerSecond, long seed);
    }

    /** A producer paced by the system's clock; see {@link #PacedProducer(String, String, int, String, String, Supplier, Clock)}. */
    public PacedProducer(String bootstrapServers, String topic, int ratePerSecond, String noun, String clientId,
            Supplier<String> values) {
        this(bootstrapServers, topic, ratePerSecond, noun, clientId, values, Clock.SYSTEM);
    }

    /**
     * @param bootstrapServers the brokers, {@code host:port,...}
     * @param topic            where the records go
     * @param ratePerSecond    records a second, from 1 to {@value #MAX_RATE}
     * @param noun             what the records are, in the plural, for messages: {@code "lines"}
     * @param clientId         the Kafka client id, also the name of the thread that runs the producer for a service
     * @param values           the value of each record, called from the thread that runs {@link #run}
     * @param clock            what the producer paces itself by
     * @throws IllegalArgumentException when the rate is out of range
     */
    public PacedProducer(String bootstrapServers, String topic, int ratePerSecond, String noun, String clientId,
            Supplier<String> values, Clock clock) {
        if (ratePerSecond < 1 || ratePerSecond > MAX_RATE) {
            throw new IllegalArgumentException("rate must be from 1 to " + MAX_RATE + " " + noun + " per second; got " + ratePerSecond);
        }
        this.topic = Objects.requireNonNull(topic, "topic");
        this.ratePerSecond = ratePerSecond;
        this.clientId = Objects.requireNonNull(clientId, "clientId");
        this.values = Objects.requireNonNull(values, "values");
        this.clock = Objects.requireNonNull(clock, "clock");
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        this.producer = new KafkaProducer<>(p);
    }

    /** The Kafka client id. */
    public String clientId() {
        return clientId;
    }

    /**
     * Sends {@code count} records (or until {@link #stop} when {@code count} is negative) at the rate, then flushes.
     *
     * @return how many records were sent
     * @throws InterruptedException when the thread is interrupted while it waits for the next record
     */
    public long run(long count) throws InterruptedException {
        long intervalNanos = TimeUnit.SECONDS.toNanos(1) / ratePerSecond;
        long next = clock.nanoTime();
        long sent = 0;
        while (!stopped.get() && (count < 0 || sent < count)) {
            producer.send(new ProducerRecord<>(topic, null, values.get().getBytes(StandardCharsets.UTF_8)));
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

    /** Ends {@link #run} after the current record; from any thread. */
    public void stop() {
        stopped.set(true);
    }

    /**
     * Stops and closes the producer without waiting for records still in flight: {@link #run} flushes when it ends
     * normally, and a producer stopped while its broker is gone must not hang on them.
     */
    @Override
    public void close() {
        stop();
        producer.close(Duration.ZERO);
    }

    /**
     * The command line of a producer: {@code PROGRAM BOOTSTRAP_SERVERS TOPIC NOUN_PER_SECOND [COUNT] [SEED]}. Sends
     * {@code COUNT} records (default: until the JVM is stopped) made by {@code factory} with {@code SEED} (default 1),
     * then prints how many; exits with status 2 on wrong arguments.
     *
     * <pre>{@code
     * public static void main(String[] args) throws InterruptedException {
     *     PacedProducer.runCommand(args, "WordProducer", "lines", WordProducer::create);
     * }
     * }</pre>
     */
    public static void runCommand(String[] args, String program, String noun, Factory factory) throws InterruptedException {
        String perSecond = noun.toUpperCase(Locale.ROOT) + "_PER_SECOND";
        if (args.length < 3 || args.length > 5) {
            System.err.println("usage: " + program + " BOOTSTRAP_SERVERS TOPIC " + perSecond + " [COUNT] [SEED]");
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
            System.err.println(perSecond + ", COUNT and SEED must be whole numbers: " + e.getMessage());
            System.exit(2);
            return;
        }
        try (PacedProducer producer = factory.create(args[0], args[1], rate, seed)) {
            Runtime.getRuntime().addShutdownHook(new Thread(producer::stop));
            long sent = producer.run(count);
            System.out.println("sent " + sent + " " + noun + " to " + args[1]);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
    }
}
