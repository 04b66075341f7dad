package dev.kindling.bench.streaming;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * An open-loop load on a Kafka → Kafka pipeline that keeps each record's key and upper-cases its value, timed in
 * this JVM: a producer sends numbered records ({@code key} = the sequence number, {@code value} =
 * {@code "kindling record N"}) at a paced rate, and a reader thread on the output topic notes when each number
 * first arrives. Both times come from {@link System#nanoTime()} of this JVM, so a record's latency is its arrival
 * minus its send, with no clock skew.
 *
 * <pre>{@code
 * try (KafkaLoad load = KafkaLoad.open(bootstrap, "in", "out", 100_000)) {
 *     load.prime(Duration.ofSeconds(60));             // one record through: the query is up
 *     load.send(1_000, 15_000);                       // 15 s at 1,000 records/s, paced against the clock
 *     load.awaitArrived(load.sent(), Duration.ofSeconds(10));
 *     KafkaLoad.Window w = load.window(3_001, load.sent());   // the first 3 s dropped
 * }
 * }</pre>
 *
 * <p>Pacing: record {@code i} of a {@link #send} is due {@code i / rate} seconds after its start; the producer parks
 * until then, or sends at once when it is behind, so a slow moment is caught up in a burst (the rate is kept, not
 * the spacing). The send time recorded is the actual one, taken just before {@code send}. Not thread-safe except
 * for the reader thread it runs itself.
 */
final class KafkaLoad implements AutoCloseable {
    private static final byte[] PREFIX = "kindling record ".getBytes(StandardCharsets.US_ASCII);

    private final String input;
    private final long[] sentAt;
    private final AtomicLongArray arrivedAt;
    private final AtomicInteger arrived = new AtomicInteger();
    private final AtomicLong wrongValues = new AtomicLong();
    private final AtomicLong sendErrors = new AtomicLong();
    private final KafkaProducer<byte[], byte[]> producer;
    private final Thread reader;
    private volatile boolean closed;
    private volatile Throwable readerFailure;
    private int next;

    private KafkaLoad(String bootstrap, String input, String output, int capacity) {
        this.input = input;
        this.sentAt = new long[capacity];
        this.arrivedAt = new AtomicLongArray(capacity);
        this.producer = producer(bootstrap);
        this.reader = new Thread(() -> read(bootstrap, output), "kafka-load-reader-" + output);
        reader.setDaemon(true);
        reader.start();
    }

    /** A load on {@code input} whose results are read from {@code output}, for at most {@code capacity} records. */
    static KafkaLoad open(String bootstrap, String input, String output, int capacity) {
        return new KafkaLoad(bootstrap, input, output, capacity);
    }

    /** Records sent so far; the next record's sequence number. */
    int sent() {
        return next;
    }

    /** Prints a warning when an output value was not the upper-cased input, or a send failed: both should never happen. */
    void warnIfWrong() {
        if (wrongValues.get() > 0 || sendErrors.get() > 0) {
            System.out.printf(Locale.ROOT, "  WARNING: %d output values were not the upper-cased input, %d sends failed%n",
                    wrongValues.get(), sendErrors.get());
        }
    }

    /**
     * Sends {@code count} records at {@code rate} per second, paced from now; blocks until the last is handed to
     * the producer.
     *
     * @return the seconds it took: {@code count / rate} when the producer kept up, more when it could not
     */
    double send(int rate, int count) {
        if (next + count > sentAt.length) {
            throw new IllegalStateException("the load was opened for " + sentAt.length + " records; " + (next + count) + " asked");
        }
        long start = System.nanoTime();
        double spacing = 1e9 / rate;
        for (int i = 0; i < count; i++) {
            long due = start + (long) (i * spacing);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            int seq = next++;
            byte[] digits = Integer.toString(seq).getBytes(StandardCharsets.US_ASCII);
            byte[] value = Arrays.copyOf(PREFIX, PREFIX.length + digits.length);
            System.arraycopy(digits, 0, value, PREFIX.length, digits.length);
            sentAt[seq] = System.nanoTime();
            producer.send(new ProducerRecord<>(input, digits, value), (metadata, e) -> {
                if (e != null) {
                    sendErrors.incrementAndGet();
                }
            });
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /**
     * Sends one record and waits until it has come through: the pipeline runs end to end (its first records pay for
     * the query's start-up, which is not what a run measures).
     *
     * @return the seconds it took
     * @throws IllegalStateException when it did not come through within {@code timeout}
     */
    double prime(Duration timeout) throws InterruptedException {
        long start = System.nanoTime();
        send(1, 1);
        if (!awaitArrived(next, timeout)) {
            throw new IllegalStateException("no record came through the pipeline within " + timeout);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** Waits until every record below {@code upTo} has arrived, or {@code timeout} has passed; returns whether all did. */
    boolean awaitArrived(int upTo, Duration timeout) throws InterruptedException {
        producer.flush();
        long until = System.nanoTime() + timeout.toNanos();
        while (arrived.get() < upTo && System.nanoTime() < until) {
            if (readerFailure != null) {
                throw new IllegalStateException("the output reader failed: " + readerFailure, readerFailure);
            }
            TimeUnit.MILLISECONDS.sleep(5);
        }
        return arrived.get() >= upTo;
    }

    /**
     * The records {@code from} (inclusive) to {@code to} (exclusive), as of now. A record that has not arrived yet
     * counts with the time it has waited so far as its latency: a lower bound, so that lost or late records raise
     * the percentiles instead of vanishing from them.
     */
    Window window(int from, int to) {
        long now = System.nanoTime();
        int n = to - from;
        long[] latencies = new long[n]; // in send order
        int delivered = 0;
        for (int i = 0; i < n; i++) {
            long at = arrivedAt.get(from + i);
            delivered += at != 0 ? 1 : 0;
            latencies[i] = (at != 0 ? at : now) - sentAt[from + i];
        }
        double sendSpan = n > 1 ? (sentAt[to - 1] - sentAt[from]) / 1e9 : 0;
        double inputRate = sendSpan > 0 ? n / sendSpan : 0;
        double outputRate = inputRate / Math.max(0.01, 1 + drift(latencies, from));
        long[] sorted = latencies.clone();
        Arrays.sort(sorted);
        return new Window(n, delivered, ms(percentile(sorted, 0.50)), ms(percentile(sorted, 0.99)),
                ms(n == 0 ? 0 : sorted[n - 1]), inputRate, outputRate);
    }

    /**
     * How fast the latency grows with the send time (seconds of latency per second), from the median latency of the
     * first fifth of the records to that of the last fifth: 0 for a pipeline that keeps up, whatever its latency and
     * however bursty its output (a micro-batch's), {@code R / C - 1} for one that can process only {@code C} of the
     * {@code R} records per second sent, whose backlog grows. The records then arrive at {@code R / (1 + drift)} per second.
     */
    private double drift(long[] latencies, int from) {
        int fifth = latencies.length / 5;
        if (fifth < 1) {
            return 0;
        }
        int n = latencies.length;
        long first = median(Arrays.copyOfRange(latencies, 0, fifth));
        long last = median(Arrays.copyOfRange(latencies, n - fifth, n));
        long between = sentAt[from + n - 1 - fifth / 2] - sentAt[from + fifth / 2];
        return between > 0 ? (double) (last - first) / between : 0;
    }

    private static long median(long[] values) {
        Arrays.sort(values);
        return values[values.length / 2];
    }

    /**
     * What a range of records measured.
     *
     * @param records    records sent in the range
     * @param delivered  of them, arrived at the output
     * @param p50Ms      latency percentiles and maximum, in milliseconds (records not arrived count as waiting until now)
     * @param inputRate  records per second as sent (first to last send)
     * @param outputRate records per second as they came out: the input rate over 1 + the latency's drift (the growth of
     *                   the median latency from the first fifth of the records to the last, per second of sending)
     */
    record Window(int records, int delivered, double p50Ms, double p99Ms, double maxMs, double inputRate, double outputRate) {
    }

    private static long percentile(long[] sorted, double q) {
        return sorted.length == 0 ? 0 : sorted[Math.max(0, Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1))];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private void read(String bootstrap, String output) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = consumer.partitionsFor(output).stream().map(i -> new TopicPartition(output, i.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            while (!closed) {
                var records = consumer.poll(Duration.ofMillis(50));
                long now = System.nanoTime();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    int seq = parse(r.key());
                    if (seq >= 0 && seq < sentAt.length && arrivedAt.compareAndSet(seq, 0, now)) {
                        if (!upperCased(r.value(), r.key())) {
                            wrongValues.incrementAndGet();
                        }
                        arrived.incrementAndGet();
                    }
                }
            }
        } catch (RuntimeException e) {
            if (!closed) {
                readerFailure = e;
            }
        }
    }

    /** Whether {@code value} is {@code "KINDLING RECORD " + key}. */
    private static boolean upperCased(byte[] value, byte[] key) {
        if (value == null || value.length != PREFIX.length + key.length) {
            return false;
        }
        for (int i = 0; i < PREFIX.length; i++) {
            byte b = PREFIX[i];
            if (value[i] != (b >= 'a' && b <= 'z' ? b - 32 : b)) {
                return false;
            }
        }
        return Arrays.equals(value, PREFIX.length, value.length, key, 0, key.length);
    }

    private static int parse(byte[] key) {
        if (key == null || key.length == 0 || key.length > 9) {
            return -1;
        }
        int n = 0;
        for (byte b : key) {
            if (b < '0' || b > '9') {
                return -1;
            }
            n = n * 10 + (b - '0');
        }
        return n;
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0"); // each record leaves at once: the latency measured is the pipeline's
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        producer.close(Duration.ofSeconds(5));
        reader.join(TimeUnit.SECONDS.toMillis(5));
    }
}
