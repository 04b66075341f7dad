package dev.kindling.service;

import dev.kindling.config.Settings;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A test fixture run in its own JVM by {@link GracefulShutdownIT}: a control plane with a route
 * that takes about two seconds, so a SIGTERM arrives while it is in flight.
 */
public final class SlowServiceMain {
    private SlowServiceMain() {
    }

    public static void main(String[] args) throws Exception {
        ControlPlane plane = ControlPlane.builder("slow")
                .settings(Settings.of(Map.of("kindling.http.port", "0", "kindling.http.host", "127.0.0.1",
                        "kindling.shutdown.grace", "20s")))
                .routes(r -> r.get("/slow", ctx -> {
                    System.out.println("SLOW-STARTED");
                    System.out.flush();
                    new CountDownLatch(1).await(2, TimeUnit.SECONDS); // simulated work
                    ctx.result("done");
                }))
                .onShutdown("work", () -> {
                    System.out.println("ACTION-RAN");
                    System.out.flush();

                })
                .build()
                .start()
                .installShutdownHook();
        System.out.println("PORT=" + plane.port());
        System.out.flush();
        plane.awaitShutdown();
    }
}
