package dev.kindling.examples.wordcount;

import dev.kindling.config.Setting;

/**
 * Settings of the wordcount example (besides {@code PORT} and the other control-plane settings).
 *
 * <pre>{@code
 * KAFKA_BOOTSTRAP_SERVERS=broker:9092 WORDCOUNT_TRIGGER=5s bin/run-example wordcount
 * }</pre>
 */
public final class WordCountSettings {
    private WordCountSettings() {
    }

    public static final Setting<String> BOOTSTRAP_SERVERS = Setting.string("kindling.wordcount.bootstrap-servers", "",
            "Kafka bootstrap servers (host:port,...). Empty: the app stops at once naming this variable, unless "
                    + "KINDLING_EMBEDDED=true starts an embedded broker and a producer of generated text.")
            .env("KAFKA_BOOTSTRAP_SERVERS");

    /** The embedded default is a {@code bin/run-example} convenience: an app jar never starts a broker unasked. */
    public static final Setting<Boolean> EMBEDDED = Setting.bool("kindling.embedded", false,
            "true: with no KAFKA_BOOTSTRAP_SERVERS, start an embedded Kafka broker (its jars resolved with Maven) and a "
                    + "producer of generated text; bin/run-example sets it. false: KAFKA_BOOTSTRAP_SERVERS is required.")
            .env("KINDLING_EMBEDDED");

    public static final Setting<String> WORDS_TOPIC = Setting.string("kindling.wordcount.words-topic", "words",
            "The topic of text lines to count.").env("WORDCOUNT_WORDS_TOPIC");

    public static final Setting<String> COUNTS_TOPIC = Setting.string("kindling.wordcount.counts-topic", "word-counts",
            "The topic that receives {\"word\", \"count\"} updates (kappa).").env("WORDCOUNT_COUNTS_TOPIC");

    public static final Setting<String> DEAD_LETTERS_TOPIC = Setting.string("kindling.wordcount.dead-letters-topic", "words-dead-letters",
            "The topic that receives lines that are not valid UTF-8.").env("WORDCOUNT_DEAD_LETTERS_TOPIC");

    public static final Setting<String> CHECKPOINT = Setting.string("kindling.wordcount.checkpoint", "",
            "The checkpoint folder. Empty: a new temporary folder (counts start from zero on each run).").env("WORDCOUNT_CHECKPOINT");

    public static final Setting<String> TRIGGER = Setting.string("kindling.wordcount.trigger", "5s",
            "Micro-batch interval (500ms, 2s, ...) or 'fast'; the default suits two cores running both queries.").env("WORDCOUNT_TRIGGER");

    public static final Setting<Integer> PRODUCER_RATE = Setting.integer("kindling.wordcount.producer-rate", 20, 1, 100_000,
            "Lines per second the embedded default's producer sends.").env("WORDCOUNT_PRODUCER_RATE");
}
