package io.cages.host.internal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Old versions still draining, counted so shutdown (and tests) can wait for them. */
final class Retirements {

    private static final Logger LOG = LoggerFactory.getLogger(Retirements.class);

    private final AtomicInteger pending = new AtomicInteger();
    private final Object idle = new Object();

    /** Counts {@code retirement} until it completes. */
    CompletableFuture<Void> track(CompletableFuture<Void> retirement) {
        pending.incrementAndGet();
        return retirement.whenComplete((ignored, failure) -> {
            if (failure != null) {
                LOG.error("retiring a cage version failed", failure);
            }
            if (pending.decrementAndGet() == 0) {
                synchronized (idle) {
                    idle.notifyAll();
                }
            }
        });
    }

    /** True when all retirements finished within {@code timeout}. */
    boolean await(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (idle) {
            while (pending.get() > 0) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    LOG.warn("{} cage versions still retiring after {} ms", pending.get(), timeout.toMillis());
                    return false;
                }
                try {
                    idle.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }
}
