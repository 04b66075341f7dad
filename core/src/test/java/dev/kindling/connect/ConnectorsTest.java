package dev.kindling.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kindling.ipp.ConfigurationException;
import dev.kindling.ipp.DeliveryGuarantee;
import dev.kindling.ipp.IncrementalReadable;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnectorsTest {
    private final Connectors connectors = Connectors.builtIn();

    @Test
    void knowsTheBuiltInSchemes() {
        assertThat(connectors.schemes()).containsExactly("console", "file", "jdbc", "kafka", "memory", "range");
    }

    @Test
    void buildsEverySchemeFromAUri() {
        assertThat(connectors.source("file:/data/in.csv")).isInstanceOfSatisfying(FileSource.class, f -> {
            assertThat(f.format()).isEqualTo("csv");
            assertThat(f.path()).isEqualTo("/data/in.csv");
        });
        assertThat(connectors.source("file:///data/in?format=orc")).isInstanceOfSatisfying(FileSource.class,
                f -> assertThat(f.path()).isEqualTo("/data/in"));
        assertThat(connectors.sink("file:/out?format=json&mode=overwrite").guarantee()).isEqualTo(DeliveryGuarantee.IDEMPOTENT);
        assertThat(connectors.sink("file:/out?perBatch=true").guarantee()).isEqualTo(DeliveryGuarantee.IDEMPOTENT);
        assertThat(connectors.sink("file:/out").guarantee()).isEqualTo(DeliveryGuarantee.AT_LEAST_ONCE);
        assertThat(connectors.source("kafka://h1:9092,h2:9093/words?startingOffsets=latest")).isInstanceOfSatisfying(KafkaSource.class, k -> {
            assertThat(k.bootstrapServers()).isEqualTo("h1:9092,h2:9093");
            assertThat(k.topics()).isEqualTo("words");
        });
        assertThat(connectors.sink("kafka://h1:9092/counts?keyColumn=word").guarantee()).isEqualTo(DeliveryGuarantee.AT_LEAST_ONCE);
        assertThat(connectors.source("memory:counts")).isInstanceOfSatisfying(MemoryTable.class, m -> assertThat(m.table()).isEqualTo("counts"));
        assertThat(connectors.source("range:5..9")).isInstanceOfSatisfying(RangeSource.class, r -> {
            assertThat(r.start()).isEqualTo(5);
            assertThat(r.end()).isEqualTo(9);
        });
        assertThat(connectors.source("range:9").name()).isEqualTo("range:0..9");
        assertThat(connectors.sink("console:?rows=3").name()).isEqualTo("console:?rows=3");
        assertThat(connectors.source("jdbc:postgresql://db:5432/app?table=ratings&watermarkColumn=id"))
                .isInstanceOfSatisfying(IncrementalReadable.class, s -> assertThat(s.watermarkColumn()).isEqualTo("id"));
        assertThat(connectors.sink("jdbc:postgresql://db/app?table=t&mode=upsert&keys=a,b").guarantee()).isEqualTo(DeliveryGuarantee.IDEMPOTENT);
    }

    @Test
    void unknownSchemeListsWhatIsAccepted() {
        assertThatThrownBy(() -> connectors.source("s3://bucket/key"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("unknown scheme 's3:' in 's3://bucket/key'; accepted sources:")
                .hasMessageContaining("file:/path").hasMessageContaining("kafka://host:9092").hasMessageContaining("range:N")
                .hasMessageNotContaining("console:");
        assertThatThrownBy(() -> connectors.sink("range:10")).hasMessageStartingWith("scheme 'range:' has no sink; accepted sinks:");
        assertThatThrownBy(() -> connectors.source("console:")).hasMessageStartingWith("scheme 'console:' has no source");
        assertThatThrownBy(() -> connectors.source("no-scheme")).hasMessageContaining("needs a scheme");
    }

    @Test
    void missingPartsAreNamed() {
        assertThatThrownBy(() -> connectors.source("kafka://h1:9092")).hasMessageContaining("names no topic");
        assertThatThrownBy(() -> connectors.source("kafka:///words")).hasMessageContaining("names no broker");
        assertThatThrownBy(() -> connectors.source("kafka://h1/words")).hasMessageContaining("is not host:port");
        assertThatThrownBy(() -> connectors.source("file:")).hasMessageContaining("names no path");
        assertThatThrownBy(() -> connectors.sink("jdbc:postgresql://db/app")).hasMessageContaining("needs the option 'table'");
        assertThatThrownBy(() -> connectors.source("jdbc:postgresql://db/app")).hasMessageContaining("exactly one of the options 'table' and 'query'");
        assertThatThrownBy(() -> connectors.sink("jdbc:postgresql://db/app?table=t&mode=upsert")).hasMessageContaining("needs the option 'keys'");
        assertThatThrownBy(() -> connectors.sink("jdbc:h2:mem:x?table=t&mode=upsert&keys=a")).hasMessageContaining("built for PostgreSQL");
        assertThatThrownBy(() -> connectors.source("memory:")).hasMessageContaining("memory table name");
        assertThatThrownBy(() -> connectors.source("range:x")).hasMessageContaining("is not a range");
        assertThatThrownBy(() -> connectors.source("range:9..3")).hasMessageContaining("before its start");
    }

    @Test
    void unknownOrBadOptionsListWhatIsAccepted() {
        assertThatThrownBy(() -> connectors.source("file:/x?fromat=csv"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("unknown option 'fromat' for the file: source 'file:/x?fromat=csv'; accepted: format, header, maxFilesPerTrigger, option.*, schema");
        assertThatThrownBy(() -> connectors.source("file:/x?format=xls")).hasMessageContaining("must be one of csv, json, parquet, text, orc; got 'xls'");
        assertThatThrownBy(() -> connectors.sink("console:?rows=0")).hasMessageContaining("'rows' must be from 1 to 10000");
        assertThatThrownBy(() -> connectors.source("file:/x?schema=not a schema!!")).hasMessageContaining("is not a DDL schema");
        assertThatThrownBy(() -> connectors.source("kafka://h:1/t", Map.of("subscribe", "x"))).hasMessageContaining("unknown option 'subscribe'");
        assertThatThrownBy(() -> connectors.sink("jdbc:postgresql://db/app?table=t;drop")).hasMessageContaining("plain SQL identifier");
        assertThatThrownBy(() -> connectors.sink("jdbc:postgresql://db/app", Map.of("tabel", "t"))).hasMessageContaining("unknown option 'tabel'");
    }

    @Test
    void passwordsNeverShowInNamesMessagesOrToString() {
        var source = connectors.source("jdbc:postgresql://db/app?table=t&user=app&password=hunter2");
        assertThat(source.name()).doesNotContain("hunter2");
        assertThat(source.toString()).doesNotContain("hunter2");
        assertThat(((JdbcSource) source).endpoint().toString()).doesNotContain("hunter2").contains("password=****");
        assertThatThrownBy(() -> connectors.source("jdbc:postgresql://db/app?password=hunter2", Map.of("tabel", "t")))
                .hasMessageNotContaining("hunter2").hasMessageContaining("password=****");
        assertThatThrownBy(() -> connectors.source("kafka://h:1/t?kafka.sasl.jaas.config=secretstuff&bad=1"))
                .hasMessageNotContaining("secretstuff");
        assertThat(Options.of(Map.of("password", "hunter2", "kafka.sasl.jaas.config", "x", "user", "u")).toString())
                .isEqualTo("{kafka.sasl.jaas.config=****, password=****, user=u}");
        assertThat(ConnectorUri.parse("kafka://user:pw@h:1/t").toString()).isEqualTo("kafka://user:****@h:1/t");
    }

    @Test
    void passwordsComeFromEnvironmentOrFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("pw");
        java.nio.file.Files.writeString(file, "from-file\n");
        assertThat(Options.of(Map.of("password.file", file.toString())).secret("password")).contains(Secret.of("from-file"));
        assertThat(Options.of(Map.of("password.env", "PG_PW"), Map.of("PG_PW", "from-env")).secret("password")).contains(Secret.of("from-env"));
        assertThatThrownBy(() -> Options.of(Map.of("password.env", "NOPE_NOT_SET"), Map.of()).secret("password"))
                .hasMessageContaining("NOPE_NOT_SET, which is not set");
        assertThatThrownBy(() -> Options.of(Map.of("password", "a", "password.env", "B")).secret("password"))
                .hasMessageContaining("'password', 'password.env' and 'password.file' exclude each other");
        assertThat(Secret.of("x").toString()).isEqualTo("****");
    }

    @Test
    void jdbcDriverParametersStayInTheUrl() {
        JdbcSource s = (JdbcSource) connectors.source("jdbc:postgresql://db:5432/app?user=app&ssl=true&table=t&driver.ApplicationName=kindling");
        assertThat(s.endpoint().url()).isEqualTo("jdbc:postgresql://db:5432/app?ssl=true&ApplicationName=kindling");
        assertThat(s.endpoint().user()).isEqualTo("app");
    }

    @Test
    void parsesUris() {
        ConnectorUri uri = ConnectorUri.parse("kafka://127.0.0.1:9092/words?startingOffsets=latest&kafka.client.id=a%20b");
        assertThat(uri.scheme()).isEqualTo("kafka");
        assertThat(uri.authority()).isEqualTo("127.0.0.1:9092");
        assertThat(uri.path()).isEqualTo("words");
        assertThat(uri.query()).containsExactly(Map.entry("startingOffsets", "latest"), Map.entry("kafka.client.id", "a b"));
        assertThat(ConnectorUri.parse("memory:counts").path()).isEqualTo("counts");
        assertThatThrownBy(() -> ConnectorUri.parse("file:/x?novalue")).hasMessageContaining("is not name=value");
    }
}
