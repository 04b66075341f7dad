package dev.kindling.connect.internal;

import dev.kindling.connect.JdbcEndpoint;
import dev.kindling.ipp.Dependency;
import dev.kindling.ipp.Failures;
import dev.kindling.ipp.Redactor;
import dev.kindling.ipp.TransientException;
import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/** The {@link Dependency} of the built-in connectors: a JDBC database, a Kafka cluster. */
public final class DependencyProbes {
    /** How long a check waits for the system to answer, beyond connecting. */
    static final int TIMEOUT_MS = 2000;

    private DependencyProbes() {
    }

    /**
     * The database at {@code endpoint}, named {@code "database URL"} (the URL without secrets): a check borrows
     * a connection from the endpoint's pool and asks it whether it is valid. Waits at most the pool's connect
     * timeout ({@code kindling.jdbc.connect-timeout}) while the database is away, and 2 s for the answer.
     */
    public static Dependency jdbc(JdbcEndpoint endpoint) {
        String url = Redactor.redact(endpoint.url());
        return Dependency.of("database " + url, () -> () -> {
            try (Connection c = endpoint.connect()) {
                if (!c.isValid(TIMEOUT_MS / 1000)) {
                    throw new TransientException("the database at " + url + " did not answer within " + TIMEOUT_MS / 1000 + " s");
                }
            }
        });
    }

    /**
     * The Kafka cluster at {@code bootstrapServers}, named {@code "kafka SERVERS"}: a check asks it to describe
     * itself within 2 s, with an admin client that takes the connector's {@code kafka.*} client options
     * (security protocol, SASL, TLS), made on the first check and reconnecting by itself.
     */
    public static Dependency kafka(String bootstrapServers, Map<String, String> options) {
        Properties config = new Properties();
        options.forEach((k, v) -> {
            if (k.startsWith("kafka.") && AdminClientConfig.configNames().contains(k.substring("kafka.".length()))) {
                config.put(k.substring("kafka.".length()), v);
            }
        });
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "kindling-readiness");
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Integer.toString(TIMEOUT_MS));
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Integer.toString(TIMEOUT_MS));
        config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
        return Dependency.of("kafka " + bootstrapServers, () -> new KafkaProbe(bootstrapServers, config));
    }

    /** Describes the cluster with an admin client made on the first check. */
    private static final class KafkaProbe implements Dependency.Probe {
        private final String servers;
        private final Properties config;
        private Admin admin; // guarded by this
        private boolean closed; // guarded by this

        KafkaProbe(String servers, Properties config) {
            this.servers = servers;
            this.config = config;
        }

        @Override
        public void check() throws InterruptedException {
            try {
                if (admin().describeCluster(new DescribeClusterOptions().timeoutMs(TIMEOUT_MS)).nodes()
                        .get(TIMEOUT_MS + 1000L, TimeUnit.MILLISECONDS).isEmpty()) {
                    throw new TransientException("the Kafka brokers at " + servers + " list no broker");
                }
            } catch (ExecutionException | TimeoutException e) {
                throw new TransientException("the Kafka brokers at " + servers + " do not answer: " + Failures.rootMessage(e), e);
            }
        }

        private synchronized Admin admin() {
            if (closed) {
                throw new IllegalStateException("the probe of the Kafka brokers at " + servers + " is closed");
            }
            if (admin == null) {
                admin = Admin.create(config);
            }
            return admin;
        }

        @Override
        public synchronized void close() {
            closed = true;
            if (admin != null) {
                admin.close(Duration.ofSeconds(5));
                admin = null;
            }
        }
    }
}
