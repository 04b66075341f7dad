package com.example.consumer;

import dev.kindling.connect.Connectors;
import dev.kindling.ipp.Pipeline;
import dev.kindling.ipp.PipelineKind;
import dev.kindling.ipp.Processor;
import java.util.Map;

/** A user's pipeline: the sum of squares of 1..n, upserted into a database table keyed by n. */
public final class SquareSums {
    private SquareSums() {
    }

    public static Pipeline pipeline(long n, String jdbcUrl, Map<String, String> login) {
        Connectors connectors = Connectors.builtIn();
        java.util.Map<String, String> options = new java.util.HashMap<>(login);
        options.putAll(Map.of("table", "square_sums", "mode", "upsert", "keys", "n"));
        return Pipeline.builder(PipelineKind.BATCH)
                .name("square-sums")
                .source(connectors.source("range:1.." + (n + 1)))
                .process(Processor.sql("SELECT " + n + "L AS n, sum(id * id) AS total FROM input"))
                .sink(connectors.sink(jdbcUrl, options))
                .build();
    }
}
