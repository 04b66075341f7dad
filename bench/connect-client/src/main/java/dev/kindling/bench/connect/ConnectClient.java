package dev.kindling.bench.connect;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.connect.SparkSession;

/**
 * A Spark Connect client for {@code QueryBench}, in its own JVM: connects to {@code sc://HOST:PORT},
 * then for each {@code run} line on stdin runs the query given as the second argument, collects its
 * one row and prints {@code ELAPSED_MS FIRST_VALUE} (the time the call took, as the client sees it);
 * {@code quit} or the end of stdin ends the client.
 *
 * <pre>
 * java -cp "$(cat target/classpath.txt):target/classes" dev.kindling.bench.connect.ConnectClient \
 *     sc://127.0.0.1:15002 "SELECT count(*) FROM range(100000)"
 * </pre>
 *
 * <p>It prints {@code ready} once the session answered a first query.
 */
public final class ConnectClient {
    private ConnectClient() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !args[0].startsWith("sc://")) {
            System.err.println("usage: ConnectClient sc://HOST:PORT QUERY");
            System.exit(2);
        }
        // The session is not closed: the server (the bench's JVM) ends with the bench, and releasing a
        // session asks the server for machine-learning classes the bench does not put on its class path.
        SparkSession spark = SparkSession.builder().remote(args[0]).getOrCreate();
        spark.sql("SELECT 1").collectAsList();
        System.out.println("ready");
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null && !line.equals("quit"); line = in.readLine()) {
            if (!line.equals("run")) {
                System.out.println("error unknown command '" + line + "'");
                continue;
            }
            long start = System.nanoTime();
            List<Row> rows = spark.sql(args[1]).collectAsList();
            double ms = (System.nanoTime() - start) / 1e6;
            System.out.println(String.format(Locale.ROOT, "%.3f %s", ms, rows.isEmpty() ? "none" : rows.get(0).get(0)));
            System.out.flush();
        }
    }
}
