package dev.kindling.service;

import dev.kindling.config.Settings;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A test fixture run in its own JVM by {@link GracefulShutdownIT}: a service with a route that takes
 * about two seconds, so a SIGTERM arrives while it is in flight, a component and a resource that
 * report their stop and close; with the argument {@code hang}, the component's stop never returns.
 */
public final class SlowServiceMain {
    private SlowServiceMain() {
    }

    public static void main(String[] args) throws Exception {
        boolean hang = args.length > 0 && args[0].equals("hang");
        TestComponent worker = new TestComponent("worker");
        worker.hangInStop = hang;
        KindlingService service = KindlingService.builder("slow")
                .settings(Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1",
                        "kindling.shutdown.grace", hang ? "2s" : "20s", "spark.master", "local[1]")))
                .sparkDefault("spark.ui.enabled", "false")
                .resource("database", () -> {
                    System.out.println("RESOURCE-CLOSED");
                    System.out.flush();
                })
                .component(worker)
                .routes(r -> r.get("/slow", ctx -> {
                    System.out.println("SLOW-STARTED");
                    System.out.flush();
                    new CountDownLatch(1).await(2, TimeUnit.SECONDS); // simulated work
                    ctx.result("done");
                }))
                .start()
                .installShutdownHook();
        System.out.println("PORT=" + service.port());
        System.out.flush();
        service.awaitShutdown();
    }
}
