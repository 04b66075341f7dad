package dev.kindling.examples.wordcount;

import dev.kindling.ipp.Failures;
import dev.kindling.service.Health;
import java.time.Duration;
import java.util.Collection;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;

/**
 * The readiness check of the word count's Kafka brokers: ready while they describe the cluster within
 * {@value #TIMEOUT_MS} ms, else down with a reason that names the bootstrap servers.
 *
 * <pre>{@code
 * BrokerReadiness kafka = new BrokerReadiness("broker:9092");
 * KindlingService.builder("wordcount").readiness("kafka", kafka).resource("kafka readiness client", kafka);
 * // GET /readyz while the broker is away: 503
 * // {"status": "not ready", "checks": {"kafka": "not ready: the Kafka brokers at broker:9092 do not answer: ..."}}
 * }</pre>
 *
 * <p>The streaming queries alone would not show an outage: Spark's Kafka source waits for a broker that
 * is away, and its query keeps running. {@link #get()} is called on HTTP threads at each {@code GET
 * /readyz} and answers within about {@value #TIMEOUT_MS} ms; its admin client is made on the first call
 * (so that brokers whose names do not resolve yet fail the check, not the start) and reconnects by itself
 * when the brokers are back. {@link #close()} closes it, once the service has stopped. Thread-safe.
 */
final class BrokerReadiness implements Supplier<Health>, AutoCloseable {
    private static final int TIMEOUT_MS = 2000;

    private final String bootstrapServers;
    private Admin admin; // guarded by this
    private boolean closed; // guarded by this

    BrokerReadiness(String bootstrapServers) {
        this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    }

    @Override
    public Health get() {
        try {
            Collection<Node> nodes = admin().describeCluster(new DescribeClusterOptions().timeoutMs(TIMEOUT_MS)).nodes()
                    .get(TIMEOUT_MS + 1000L, TimeUnit.MILLISECONDS);
            return Health.when(!nodes.isEmpty(), "the Kafka brokers at " + bootstrapServers + " list no broker");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Health.down("interrupted while asking the Kafka brokers at " + bootstrapServers);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            return Health.down("the Kafka brokers at " + bootstrapServers + " do not answer: " + Failures.rootMessage(e));
        }
    }

    private synchronized Admin admin() {
        if (closed) {
            throw new IllegalStateException("the readiness check is closed");
        }
        if (admin == null) {
            Properties p = new Properties();
            p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            p.put(AdminClientConfig.CLIENT_ID_CONFIG, "wordcount-readiness");
            p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Integer.toString(TIMEOUT_MS));
            p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
            admin = Admin.create(p);
        }
        return admin;
    }

    /** Closes the admin client (waiting at most 5 s for a check in flight). Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
            admin = null;
        }
    }
}
