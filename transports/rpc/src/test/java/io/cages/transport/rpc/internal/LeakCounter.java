package io.cages.transport.rpc.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Counts Netty's leak reports instead of reading them from a log. Installed as a JUnit launcher session
 * listener (META-INF/services), so its factory is in place before any test class loads a {@code ByteBuf}
 * class (whose leak detector is created once, when the class initialises).
 */
public final class LeakCounter implements LauncherSessionListener {

    private static final AtomicInteger LEAKS = new AtomicInteger();

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
                return new ResourceLeakDetector<>(resource, samplingInterval) {
                    @Override
                    protected void reportTracedLeak(String resourceType, String records) {
                        LEAKS.incrementAndGet();
                        super.reportTracedLeak(resourceType, records);
                    }

                    @Override
                    protected void reportUntracedLeak(String resourceType) {
                        LEAKS.incrementAndGet();
                        super.reportUntracedLeak(resourceType);
                    }
                };
            }
        });
    }

    /** True when the counter was installed before the buffer classes initialised (else it counts nothing). */
    public static boolean installed() {
        return ResourceLeakDetectorFactory.instance().getClass().getEnclosingClass() == LeakCounter.class;
    }

    public static int leaks() {
        return LEAKS.get();
    }

    /**
     * Makes the detector look at buffers collected since the last look: leaks are found only when a
     * garbage-collected buffer's phantom reference is polled, which happens on the next tracked allocation.
     */
    public static void collectAndPoll() {
        System.gc();
        for (int i = 0; i < 256; i++) {
            ByteBuf buf = ByteBufAllocator.DEFAULT.buffer(8);
            buf.release();
        }
    }

    /** Leaks one buffer on purpose and waits until it is reported: proves reports reach the counter. */
    public static boolean detectsALeak(Duration timeout) {
        int before = leaks();
        leakOne();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0) {
            collectAndPoll();
            if (leaks() > before) {
                return true;
            }
            Thread.onSpinWait();
        }
        return false;
    }

    private static void leakOne() {
        ByteBuf leaked = ByteBufAllocator.DEFAULT.buffer(16);
        leaked.writeInt(42); // dropped without release on purpose
    }

    /** Leak reports counted since start of the JVM (the deliberate one included). */
    static int leaksAfter(int baseline, Duration settle) {
        long deadline = System.nanoTime() + settle.toNanos();
        while (System.nanoTime() - deadline < 0) {
            collectAndPoll();
        }
        return leaks() - baseline;
    }
}
