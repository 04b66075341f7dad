package dev.kindling.examples.wordcount;

import dev.kindling.connect.PacedProducer;

/**
 * Sends generated text lines ({@link TextGenerator}) into a Kafka topic at a fixed rate: a {@link PacedProducer} of
 * the example's text.
 *
 * <pre>
 * bin/run-example wordcount ...   # the embedded default runs one for you
 * java -cp APP_JAR:SPARK_JARS dev.kindling.examples.wordcount.WordProducer 127.0.0.1:9092 words 100 [COUNT] [SEED]
 * </pre>
 *
 * <p>Arguments: bootstrap servers, topic, lines per second (1..100000), optionally how many lines
 * (default: until stopped) and a random seed (default 1). Lines are sent without a key, acks=all.
 */
public final class WordProducer {
    private WordProducer() {
    }

    /** A producer of {@code ratePerSecond} lines a second of a {@link TextGenerator} with {@code seed}; run it, then close it. */
    public static PacedProducer create(String bootstrapServers, String topic, int ratePerSecond, long seed) {
        return new PacedProducer(bootstrapServers, topic, ratePerSecond, "lines", "wordcount-producer", new TextGenerator(seed)::nextLine);
    }

    public static void main(String[] args) throws Exception {
        PacedProducer.runCommand(args, "WordProducer", "lines", WordProducer::create);
    }
}
