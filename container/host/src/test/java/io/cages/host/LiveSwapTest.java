package io.cages.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.api.CageException;
import io.cages.api.ErrorCode;
import io.cages.host.admin.DeployRecord.Outcome;
import io.cages.host.testing.Probe;
import io.cages.host.testing.TestCages;
import io.cages.testcages.failselftest.FailingSelfTestCage;
import io.cages.testcages.failstart.FailingStartCage;
import io.cages.testcages.noctor.NoConstructorCage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import io.cages.host.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.cages.host.spi.Reply;
import io.cages.host.admin.CageInfo;
import io.cages.host.admin.DeployRecord;

/** Deploy, update and undeploy on a real Felix: the old version stays when the new one is bad. */
class LiveSwapTest {

    @TempDir
    Path dir;
    HostFixture fx;

    @BeforeEach
    void start() throws Exception {
        Probe.reset();
        fx = new HostFixture(dir);
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    @Test
    void updateSwitchesToTheNewVersionAndUninstallsTheOld() throws Exception {
        assertEquals(Outcome.ACTIVE, fx.deploy(HostFixture.versionCage("svc", "1.0.0")).outcome());
        assertEquals("1.0.0", fx.version("svc"));

        DeployRecord update = fx.deploy(HostFixture.versionCage("svc", "1.0.1"));
        assertEquals(Outcome.ACTIVE, update.outcome());
        assertEquals("UPDATE", update.action());
        assertEquals("1.0.0", update.previous());
        assertEquals("1.0.1", fx.version("svc"));

        assertTrue(fx.host.awaitRetirements(Duration.ofSeconds(10)));
        assertEquals(1, fx.host.installedBundles(), "the old version's bundle is uninstalled");
    }

    @Test
    void failingSelfTestKeepsTheOldVersion() throws Exception {
        fx.deploy(HostFixture.versionCage("svc", "1.0.0"));
        DeployRecord bad = fx.deploy(TestCages.build("svc", "2.0.0", FailingSelfTestCage.class));

        assertEquals(Outcome.FAILED, bad.outcome());
        assertTrue(bad.reason().contains("self-test failed") && bad.reason().contains("expected 42, got 41"), bad.reason());
        assertEquals("1.0.0", bad.previous());
        assertEquals("1.0.0", fx.version("svc"));
        assertEquals(1, fx.host.installedBundles(), "the failed version's bundle is gone");
        assertEquals("true", System.getProperty(FailingSelfTestCage.STOPPED), "its start() returned, so its stop() ran before it went");
        assertEquals(bad, fx.host.admin().history().get(fx.host.admin().history().size() - 1));
    }

    @Test
    void failingStartKeepsTheOldVersion() throws Exception {
        fx.deploy(HostFixture.versionCage("svc", "1.0.0"));
        DeployRecord bad = fx.deploy(TestCages.build("svc", "2.0.0", FailingStartCage.class));

        assertEquals(Outcome.FAILED, bad.outcome());
        assertTrue(bad.reason().startsWith("start failed") && bad.reason().contains("database 'orders' unreachable"), bad.reason());
        assertEquals("1.0.0", fx.version("svc"));
        assertEquals(1, fx.host.installedBundles());
    }

    @Test
    void handlerThatCannotBeCreatedIsRefusedWithTheReason() throws Exception {
        DeployRecord bad = fx.deploy(TestCages.build("svc", "1.0.0", NoConstructorCage.class));
        assertEquals(Outcome.FAILED, bad.outcome());
        assertTrue(bad.reason().contains("no public no-argument constructor"), bad.reason());
        assertEquals(0, fx.host.installedBundles());
        assertTrue(fx.host.admin().cages().isEmpty(), "a cage that never started is not listed");
    }

    @Test
    void jarsThatAreNotCagesAreRefusedWithTheReason() {
        DeployRecord garbage = fx.deploy("not a jar at all".getBytes());
        assertEquals(Outcome.FAILED, garbage.outcome());
        assertTrue(garbage.reason().startsWith("not a jar"), garbage.reason());

        byte[] noName = TestCages.withHeader(HostFixture.versionCage("svc", "1.0.0"), "Cage-Name", "");
        DeployRecord unnamed = fx.deploy(noName);
        assertTrue(unnamed.reason().contains("no Cage-Name header"), unnamed.reason());

        byte[] badName = TestCages.withHeader(HostFixture.versionCage("svc", "1.0.0"), "Cage-Name", "Bad_Name");
        assertTrue(fx.deploy(badName).reason().contains("not a valid cage name"));

        byte[] missingClass = TestCages.withHeader(HostFixture.versionCage("svc", "1.0.0"), "Cage-Handler", "io.cages.testcages.Missing");
        DeployRecord missing = fx.deploy(missingClass);
        assertTrue(missing.reason().contains("cannot be loaded"), missing.reason());
        assertEquals(0, fx.host.installedBundles());
    }

    @Test
    void undeployDrainsInFlightRequests() throws Exception {
        fx.deploy(HostFixture.versionCage("svc", "1.0.0"));
        CompletableFuture<Reply> slow = fx.call("svc", "sleep", Map.of("ms", "700"), null);
        Await.until("the slow request runs", Duration.ofSeconds(5), () -> Probe.get("svc.sleep") == 1);

        DeployRecord undeploy = fx.host.admin().undeploy("svc", "test");

        assertEquals(Outcome.UNDEPLOYED, undeploy.outcome());
        assertTrue(slow.isDone(), "undeploy returns only after in-flight requests finished");
        assertEquals("700", slow.get(1, TimeUnit.SECONDS).value().get("slept").asText());
        assertEquals(1, Probe.get("svc.sleep.done"));
        CageException gone = HostFixture.failureOf(fx.call("svc", "version", Map.of(), null));
        assertEquals(ErrorCode.NOT_FOUND, gone.code());
        assertEquals(0, fx.host.installedBundles());
        assertTrue(fx.host.admin().cages().isEmpty());
    }

    @Test
    void undeployOfAnUnknownCageSaysSo() {
        DeployRecord record = fx.host.admin().undeploy("ghost", "test");
        assertEquals(Outcome.FAILED, record.outcome());
        assertEquals("no cage named 'ghost' is deployed", record.reason());
    }

    @Test
    void listingShowsVersionsStatesAndInFlight() throws Exception {
        fx.deploy(HostFixture.versionCage("svc", "1.0.0"));
        CompletableFuture<Reply> slow = fx.call("svc", "sleep", Map.of("ms", "600"), null);
        Await.until("the slow request runs", Duration.ofSeconds(5), () -> Probe.get("svc.sleep") == 1);
        fx.deploy(HostFixture.versionCage("svc", "1.0.1"));

        CageInfo info = fx.host.admin().cages().get(0);
        assertEquals("1.0.1", info.activeVersion());
        List<CageInfo.VersionInfo> versions = info.versions();
        assertEquals(2, versions.size(), versions.toString());
        assertEquals("DRAINING", versions.get(1).state());
        assertEquals(1, versions.get(1).inFlight());

        assertEquals("1.0.0", slow.get(5, TimeUnit.SECONDS).value().get("version").asText(), "the old version finishes its request");
        assertTrue(fx.host.awaitRetirements(Duration.ofSeconds(5)));
        assertEquals(1, fx.host.admin().cages().get(0).versions().size());
    }

    @Test
    void oldVersionClassLoaderCanBeCollectedAfterASwap() throws Exception {
        fx.deploy(HostFixture.versionCage("svc", "1.0.0"));
        fx.version("svc");
        java.lang.ref.WeakReference<ClassLoader> oldLoader = new java.lang.ref.WeakReference<>(loaderOfActive());
        fx.deploy(HostFixture.versionCage("svc", "1.0.1"));
        assertTrue(fx.host.awaitRetirements(Duration.ofSeconds(10)));
        fx.version("svc");

        Await.until("the old version's class loader is collected", Duration.ofSeconds(20), () -> {
            System.gc();
            return oldLoader.get() == null;
        });
        assertNull(oldLoader.get());
        assertFalse(fx.host.admin().cages().isEmpty());
    }

    private ClassLoader loaderOfActive() throws Exception {
        // The reply value is a JSON tree, so it holds no cage class; ask the bundle through a request instead.
        Reply reply = fx.callOk("svc", "version", Map.of());
        assertEquals("1.0.0", reply.version());
        return io.cages.host.internal.Introspect.activeHandlerLoader(fx.host, "svc");
    }
}
