package io.cages.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.host.admin.DeployRecord;
import io.cages.host.admin.HealthEntry;
import io.cages.host.admin.HealthView;
import io.cages.host.spi.HostHealth;
import io.cages.host.spi.Transport;
import io.cages.host.spi.TransportContext;
import io.cages.host.testing.Await;
import io.cages.host.testing.TestCages;
import io.cages.testcages.probed.SelfTestLogCage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The health monitor of one host, in-process: a cage's self-test decides up or degraded, runs at most about once
 * a period however often the host is probed (as other hosts probe it, through {@link TransportContext#localHealth()}),
 * a self-test past its bound is degraded, and an undeployed cage is down.
 */
class HealthMonitorTest {

    private static final long PERIOD_MS = 400;
    private static final long TIMEOUT_MS = 200;
    private static final Duration TWO_PERIODS = Duration.ofMillis(2 * PERIOD_MS + 300);

    @TempDir
    Path dir;
    private HostFixture fx;
    private volatile TransportContext context;

    @BeforeEach
    void start() throws Exception {
        Path configs = Files.createDirectories(dir.resolve("configs"));
        Files.writeString(configs.resolve("probed.json"), "{\"log\": \"" + dir.resolve("selftests.log") + "\", \"brokenIf\": \""
                + dir.resolve("broken") + "\", \"slowIf\": \"" + dir.resolve("slow") + "\"}");
        Transport capture = new Transport() {
            @Override
            public String name() {
                return "capture";
            }

            @Override
            public void start(TransportContext given) {
                context = given;
            }

            @Override
            public void stopAccepting() {
            }

            @Override
            public void close() {
            }
        };
        fx = new HostFixture(HostConfig.defaults().withWorkDir(dir.resolve("work")).withCageConfigDir(configs)
                .withHealth(new HostConfig.Health(PERIOD_MS, TIMEOUT_MS)), List.of(capture));
        DeployRecord deployed = fx.deploy(TestCages.build("probed", "1.0.0", SelfTestLogCage.class));
        assertEquals(DeployRecord.Outcome.ACTIVE, deployed.outcome(), deployed::toString);
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    private HealthEntry probed() {
        HealthView view = fx.host.admin().health();
        return view.entries().stream().filter(e -> e.cage().equals("probed")).findFirst().orElse(null);
    }

    private boolean probedIs(String status) {
        HealthEntry e = probed();
        return e != null && e.status().equals(status);
    }

    private long selfTestsRun() throws Exception {
        Path log = dir.resolve("selftests.log");
        return Files.exists(log) ? Files.readAllLines(log).size() : 0;
    }

    @Test
    void upThenDegradedWithTheReasonThenUpAgainAndReadinessFollows() throws Exception {
        Await.until("probed up", TWO_PERIODS, () -> probedIs("up"));
        HealthView view = fx.host.admin().health();
        assertEquals("serving", view.state());
        assertTrue(view.ready(), view::toString);
        assertEquals("1.0.0", probed().version());

        Files.createFile(dir.resolve("broken"));
        long broken = System.nanoTime();
        Await.until("probed degraded", TWO_PERIODS, () -> probedIs("degraded"));
        System.out.printf("health monitor: broken self-test seen in %d ms (period %d ms)%n", (System.nanoTime() - broken) / 1_000_000, PERIOD_MS);
        assertEquals("self-test failed: broken on purpose (IllegalStateException)", probed().reason());
        assertEquals(List.of(probed()), fx.host.admin().health().localProblems());

        Files.delete(dir.resolve("broken"));
        Await.until("probed up again", TWO_PERIODS, () -> probedIs("up"));
        assertTrue(fx.host.admin().health().ready());
    }

    @Test
    void selfTestsRunAboutOnceAPeriodHoweverManyProbesCome() throws Exception {
        Await.until("probed up", TWO_PERIODS, () -> probedIs("up"));
        long before = selfTestsRun();
        long started = System.nanoTime();
        AtomicInteger probes = new AtomicInteger();
        List<Thread> probers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            probers.add(Thread.ofVirtual().start(() -> {
                while (System.nanoTime() - started < 1_000_000_000L) {
                    HostHealth answer = context.localHealth();
                    assertEquals("up", answer.cages().get(0).status());
                    probes.incrementAndGet();
                }
            }));
        }
        for (Thread t : probers) {
            t.join();
        }
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        long ran = selfTestsRun() - before;
        // A result is kept 90% of a period: at most one self-test per 360 ms, plus the one at the window's start.
        long most = elapsedMs / (PERIOD_MS * 9 / 10) + 1;
        System.out.printf("health monitor: %d probes in %d ms ran the self-test %d times (at most %d)%n", probes.get(), elapsedMs, ran, most);
        assertTrue(probes.get() > 100, "probed often: " + probes.get());
        assertTrue(ran >= 1 && ran <= most, "self-tests run: " + ran + " for " + probes.get() + " probes in " + elapsedMs + " ms");
    }

    @Test
    void aSelfTestPastItsBoundIsDegradedAndAnUndeployedCageIsDown() throws Exception {
        Await.until("probed up", TWO_PERIODS, () -> probedIs("up"));
        Files.createFile(dir.resolve("slow"));
        Await.until("probed degraded", TWO_PERIODS, () -> probedIs("degraded"));
        assertTrue(probed().reason().startsWith("self-test did not finish within " + TIMEOUT_MS / 2 + " ms"), probed().reason());
        Files.delete(dir.resolve("slow"));
        Await.until("probed up once the slow self-test ended", Duration.ofMillis(1_000 + 2 * PERIOD_MS + 300), () -> probedIs("up"));

        assertEquals(DeployRecord.Outcome.UNDEPLOYED, fx.host.admin().undeploy("probed", "test").outcome());
        Await.until("probed down", TWO_PERIODS, () -> probedIs("down"));
        assertEquals("not deployed on " + fx.host.config().name() + " (stopped or undeployed)", probed().reason());
        assertTrue(!fx.host.admin().health().ready(), "a cage of its own down: not ready");
    }
}
