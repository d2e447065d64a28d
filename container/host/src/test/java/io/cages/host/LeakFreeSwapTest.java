package io.cages.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.host.admin.DeployRecord;
import io.cages.host.admin.DeployRecord.Outcome;
import io.cages.host.spi.Reply;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A thousand live swaps of one cage under load leave no old version behind. After the 50th swap and after the
 * 1,000th: one cage class loader is alive (the active version's), the JVM has as many classes loaded, and the
 * metaspace, in all and its class space (the part that holds the classes themselves), is within 5 % of its level
 * after the 50th. What the one cage loader holds is printed, not compared: it moved between 1,608 and 1,768 bytes
 * of class space with which of the version's classes the load had touched. Payara publishes 1,000 redeploys with
 * constant metaspace as its bar. Prints the figures.
 *
 * <p>Why a warm-up first: before the measured swaps the test swaps another cage 1,000 times under the same load
 * and undeploys it, as a host that has served for a while has done, and prints that warm-up's own figures. The
 * non-class part of metaspace also holds the JIT's profile of a method (its MethodData), made once per method when
 * it reaches the profiling tier and kept for the JVM's life; the swap path's methods (Felix's install and resolve,
 * Jackson, zip, Micrometer's meters, the host's own, and the test's building of each version's jar), run once per
 * swap, reach that tier over hundreds of swaps.
 * Measured without the warm-up (JDK 25, 2,000 swaps, the metaspace per loader and the JIT's code list at
 * checkpoints): metaspace 24,951 KB after swap 50, 26,851 KB after 1,000 (+7.6 %), 26,919 KB after 2,000 (+0.25 %
 * over the second thousand); all of the growth was the app and boot loaders' non-class metaspace (+1,066 KB and
 * +783 KB) while they loaded 5 and 8 classes more, and the JIT's profiled compiled methods went from 2,078 to 3,483
 * (3,512 after 2,000), some 1.3 KB per newly profiled method. With the profiling tier off
 * ({@code -XX:TieredStopAtLevel=1}, a diagnostic run only) metaspace was flat: 22,700 KB after swap 50, 22,609 KB
 * after 1,000 and after 2,000. So the growth is a one-off of a young JVM, not a per-swap one (a leak grows over the
 * second thousand as over the first), and the bar is measured once it is done; class space, which has no profiles,
 * is asserted as well, and a version kept alive shows first in the count of cage class loaders. Checked by holding
 * one version in twenty from the test: after the warm-up it failed on 3 cage loaders after swap 50 (50 after 1,000),
 * with 48 classes more, class space +0.93 % and metaspace +3.43 % (some 19 KB per kept version); without the
 * warm-up that metaspace figure would sit inside the profiles' +7.5 %.
 *
 * <p>Counts and sizes are taken after a full GC that provably ran, from the JVM's diagnostic commands (a class
 * histogram of live objects, the metaspace per loader), so a loader that is merely not yet collected does not
 * count, and one still reachable from anywhere (a thread, a timer, a cache) does.
 */
class LeakFreeSwapTest {

    static final int SWAPS = 1000;
    static final int FIRST = 50;
    /** Swaps of another cage before the measured ones: the JIT's profiles of the swap path level off by then. */
    static final int WARMUP = 1000;
    /** Felix's class loader for a bundle revision: one per cage version. */
    static final String LOADER_CLASS = "org.apache.felix.framework.BundleWiringImpl$BundleClassLoader";

    @TempDir
    Path dir;
    HostFixture fx;

    @BeforeEach
    void start() throws Exception {
        fx = new HostFixture(dir);
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    @Test
    void aThousandSwapsUnderLoadLeaveNoOldClassLoaderAndMetaspaceFlat() throws Exception {
        // The metrics are built a few seconds after the host serves, which could fall between the two figures
        // (Micrometer's classes would count as growth): a scrape builds them now.
        fx.host.admin().metrics(null);
        Warmup warmup = warmUpTheSwapPath();
        assertEquals(Outcome.ACTIVE, fx.deploy(HostFixture.versionCage("leaky", "1.0.0")).outcome());
        Load load = new Load(fx, "leaky");
        load.start();
        Figures first = null;
        for (int i = 1; i <= SWAPS; i++) {
            swap("leaky", i);
            if (i == FIRST) {
                first = load.pausedWhile(this::figures);
            }
        }
        load.stop();
        Figures last = figures();
        double growth = percent(first.classSpace, last.classSpace);
        double cageGrowth = percent(first.cageClassSpace, last.cageClassSpace);
        double metaspaceGrowth = percent(first.metaspace, last.metaspace);
        System.out.printf("leak-free swaps: warm-up of the swap path, %d swaps of cage warmup under load: metaspace %,d KB after %d,"
                        + " %,d KB after %d (%+.2f %%, the JIT's profiles of the swap path), class space %+.2f %%%n",
                WARMUP, warmup.first.metaspace / 1024, FIRST, warmup.last.metaspace / 1024, WARMUP,
                percent(warmup.first.metaspace, warmup.last.metaspace), percent(warmup.first.classSpace, warmup.last.classSpace));
        System.out.printf("leak-free swaps: %d swaps under load (%d requests answered, %d failed). After %d: %s."
                        + " After %d: %s. Class space %+.2f %% (held by cage loaders %+.2f %%); metaspace in all %+.2f %%%n",
                SWAPS, load.answered.get(), load.failures.size(), FIRST, first, SWAPS, last, growth, cageGrowth, metaspaceGrowth);

        assertTrue(warmup.failures.isEmpty(), () -> "requests failed during the warm-up swaps: " + warmup.failures);
        assertTrue(load.failures.isEmpty(), () -> "requests failed during the swaps: " + load.failures);
        assertTrue(load.versionsSeen.size() > 1, "the load ran across the swaps");
        assertEquals("1.0." + SWAPS, fx.version("leaky"));
        assertEquals(1, first.cageLoaders, "after " + FIRST + " swaps only the active version's class loader is alive");
        assertEquals(1, last.cageLoaders, "after " + SWAPS + " swaps only the active version's class loader is alive: every old one was collected");
        assertTrue(Math.abs(metaspaceGrowth) < 5.0,
                () -> String.format("metaspace changed %.2f %% between swap %d and swap %d", metaspaceGrowth, FIRST, SWAPS));
        assertTrue(Math.abs(growth) < 5.0, () -> String.format("class space changed %.2f %% between swap %d and swap %d", growth, FIRST, SWAPS));
        assertTrue(Math.abs(last.classes - first.classes) <= 20, "classes loaded: " + first.classes + " after " + FIRST + ", " + last.classes + " after " + SWAPS);
        Set<String> metered = meteredVersions(fx.host.admin().metrics(null).text());
        System.out.printf("leak-free swaps: versions of leaky with request meters after %d swaps: %s%n", SWAPS, metered);
        assertTrue(metered.size() <= 3, "request meters of retired versions are dropped, but the registry has " + metered);
    }

    /** The figures of the warm-up after its 50th swap and its last, and the requests that failed during it. */
    record Warmup(Figures first, Figures last, Set<String> failures) {
    }

    /**
     * Swaps another cage {@value #WARMUP} times under load and undeploys it, as a host that has served for a while
     * has done: the JIT has then profiled the swap path (see the class comment).
     */
    private Warmup warmUpTheSwapPath() throws Exception {
        assertEquals(Outcome.ACTIVE, fx.deploy(HostFixture.versionCage("warmup", "1.0.0")).outcome());
        Load load = new Load(fx, "warmup");
        load.start();
        Figures first = null;
        for (int i = 1; i <= WARMUP; i++) {
            swap("warmup", i);
            if (i == FIRST) {
                first = load.pausedWhile(this::figures);
            }
        }
        load.stop();
        Figures last = figures();
        assertEquals(Outcome.UNDEPLOYED, fx.host.admin().undeploy("warmup", "test").outcome());
        return new Warmup(first, last, load.failures);
    }
    /** The versions of cage leaky that have request meters in a Prometheus scrape. */
    private static Set<String> meteredVersions(String scrape) {
        Set<String> versions = new java.util.TreeSet<>();
        Matcher m = Pattern.compile("cages_request_duration_seconds_count\\{[^}]*cage=\"leaky\"[^}]*version=\"([^\"]+)\"").matcher(scrape);
        while (m.find()) {
            versions.add(m.group(1));
        }
        return versions;
    }

    record Figures(int cageLoaders, long cageClassSpace, long classSpace, long metaspace, int classes) {
        @Override
        public String toString() {
            return String.format("%d cage class loader(s) alive holding %,d bytes of class space; class space %,d KB in all;"
                    + " metaspace %,d KB in all; %,d classes loaded", cageLoaders, cageClassSpace, classSpace / 1024, metaspace / 1024, classes);
        }
    }

    private static double percent(long before, long after) {
        return 100.0 * (after - before) / before;
    }

    private Figures figures() throws Exception {
        settle();
        int loaders = awaitOneLoader();
        return new Figures(loaders, cageLoaderClassSpace(), poolUsed("Compressed Class Space"), poolUsed("Metaspace"),
                ManagementFactory.getClassLoadingMXBean().getLoadedClassCount());
    }

    private void swap(String cage, int n) {
        DeployRecord record = fx.deploy(HostFixture.versionCage(cage, "1.0." + n));
        assertEquals(Outcome.ACTIVE, record.outcome(), record::toString);
    }

    /** Two virtual threads calling the cage in a loop; paused for measurements (they would allocate through them). */
    static final class Load {
        final HostFixture fx;
        final String cage;
        final AtomicLong answered = new AtomicLong();
        final Set<String> failures = ConcurrentHashMap.newKeySet();
        final Set<String> versionsSeen = ConcurrentHashMap.newKeySet();
        private final AtomicBoolean running = new AtomicBoolean();
        private final List<Thread> clients = new ArrayList<>();

        Load(HostFixture fx, String cage) {
            this.fx = fx;
            this.cage = cage;
        }

        void start() {
            running.set(true);
            for (int c = 0; c < 2; c++) {
                clients.add(Thread.ofVirtual().start(this::callUntilStopped));
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            joinAll(clients);
            clients.clear();
        }

        <T> T pausedWhile(java.util.concurrent.Callable<T> measurement) throws Exception {
            stop();
            try {
                return measurement.call();
            } finally {
                start();
            }
        }

        private void callUntilStopped() {
            while (running.get()) {
                try {
                    Reply reply = fx.call(cage, "version", Map.of(), null).get(10, TimeUnit.SECONDS);
                    versionsSeen.add(reply.value().get("version").asText());
                    answered.incrementAndGet();
                } catch (Exception e) {
                    failures.add(String.valueOf(e));
                }
            }
        }
    }

    private static void joinAll(List<Thread> threads) throws InterruptedException {
        for (Thread t : threads) {
            assertTrue(t.join(Duration.ofSeconds(30)), "a client thread ended");
        }
    }

    /** Waits for the old versions to be retired and a full GC that provably ran (a weakly held object went). */
    private void settle() throws Exception {
        assertTrue(fx.host.awaitRetirements(Duration.ofSeconds(30)), "old versions retired");
        for (int round = 0; round < 3; round++) {
            WeakReference<Object> canary = new WeakReference<>(new Object());
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (canary.get() != null && System.nanoTime() < until) {
                System.gc();
            }
            assertTrue(canary.get() == null, "a full GC ran");
        }
    }

    private static long poolUsed(String name) {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getName().equals(name)) {
                return pool.getUsage().getUsed();
            }
        }
        throw new IllegalStateException("no memory pool '" + name + "' in this JVM (compressed class pointers are on by default)");
    }

    /**
     * The number of live cage class loaders once it is one (the active version's), or what it still was after
     * 15 s. Right after a retirement a reference may linger for a moment (a timer's cancelled task until its next
     * tick, a soft cache); a leaked version's loader stays for good.
     */
    private static int awaitOneLoader() throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        int loaders = liveCageLoaders();
        while (loaders != 1 && System.nanoTime() < until) {
            Thread.sleep(100); // between full GCs, for whatever holds the loader to let go
            loaders = liveCageLoaders();
        }
        return loaders;
    }

    /**
     * Bytes of class space used by cage class loaders (their classes, and hidden classes they defined), from the
     * JVM's metaspace report per loader.
     */
    static long cageLoaderClassSpace() throws Exception {
        String report = diagnosticCommand("vmMetaspace", "show-loaders", "scale=1");
        long bytes = 0;
        boolean cageLoader = false;
        for (String line : report.split("\n")) {
            if (line.matches("\\s*\\d+: CLD .*")) {
                cageLoader = line.contains(LOADER_CLASS);
            } else if (cageLoader && line.trim().startsWith("Class:")) {
                Matcher used = Pattern.compile("committed,\\s+(\\d+) bytes \\(\\s*\\d+%\\) used").matcher(line);
                assertTrue(used.find(), () -> "unexpected metaspace report line: " + line);
                bytes += Long.parseLong(used.group(1));
                cageLoader = false;
            }
        }
        return bytes;
    }

    private static String diagnosticCommand(String operation, String... arguments) throws Exception {
        return (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), operation,
                new Object[] {arguments}, new String[] {String[].class.getName()});
    }

    /** Live instances of Felix's bundle class loader, from the JVM's class histogram of live objects. */
    static int liveCageLoaders() throws Exception {
        String histogram = diagnosticCommand("gcClassHistogram");
        Matcher row = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+\\d+\\s+" + Pattern.quote(LOADER_CLASS) + "\\b", Pattern.MULTILINE)
                .matcher(histogram);
        return row.find() ? Integer.parseInt(row.group(1)) : 0;
    }
}
