package dev.kindling.service;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A component for the service's own tests: it records its lifecycle calls in a shared journal, can be
 * told to be not ready, to throw from its own thread, to fail its start, or to hang in stop.
 */
final class TestComponent implements Component {
    private final String name;
    private final List<String> journal;
    final AtomicBoolean ready = new AtomicBoolean(true);
    final CountDownLatch throwNow = new CountDownLatch(1);
    volatile Throwable toThrow;
    volatile boolean failStart;
    volatile boolean hangInStop;
    volatile ComponentContext context;
    volatile List<dev.kindling.ipp.Dependency> dependencies = List.of();

    TestComponent(String name, List<String> journal) {
        this.name = name;
        this.journal = journal;
    }

    TestComponent(String name) {
        this(name, new CopyOnWriteArrayList<>());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String pattern() {
        return "test";
    }

    @Override
    public List<dev.kindling.ipp.Dependency> dependencies() {
        return dependencies;
    }

    @Override
    public void routes(Routes routes) {
        routes.get("/" + name + "/hello", ctx -> ctx.json(Map.of("hello", name)));
    }

    @Override
    public void start(ComponentContext context) {
        journal.add("start " + name);
        this.context = context;
        if (failStart) {
            throw new dev.kindling.ipp.ConfigurationException(name + " cannot start: on purpose");
        }
        context.meters().counter("starts", "starts").increment();
        Thread t = context.newThread("worker", () -> {
            try {
                throwNow.await();
            } catch (InterruptedException e) {
                return;
            }
            Throwable e = toThrow;
            if (e instanceof Error err) {
                throw err;
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
        });
        t.start();
    }

    @Override
    public void stop(Deadline deadline) throws InterruptedException {
        journal.add("stop " + name);
        if (hangInStop) {
            new CountDownLatch(1).await(10, TimeUnit.MINUTES); // blocked like a stop on a dependency that is gone
        }
    }

    @Override
    public Health readiness() {
        return Health.when(ready.get(), name + " is warming up");
    }

    @Override
    public Object details() {
        return Map.of("name", name);
    }
}
