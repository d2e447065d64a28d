package io.cages.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.host.admin.DeployRecord;
import io.cages.host.admin.DeployRecord.Outcome;
import io.cages.host.admin.Rollout;
import io.cages.host.admin.WatchRule;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Manual rollback (one version back, kept in memory, stored in the deploy folder) and a guarded deploy of an idle cage. */
class RollbackTest {

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
    void aRollbackSwapsBackOneVersionAndTheFolderKeepsItForTheNextStart() throws Exception {
        assertNull(fx.host.admin().rollback("svc", "test"), "nothing deployed: nothing to roll back to");
        fx.deploy(HostFixture.versionCage("svc", "1.0.0"));
        assertNull(fx.host.admin().rollback("svc", "test"), "a first deploy has no previous version");
        fx.deploy(HostFixture.versionCage("svc", "1.0.1"));
        fx.deploy(HostFixture.versionCage("svc", "1.0.2"));
        assertEquals("1.0.2", fx.version("svc"));

        DeployRecord back = fx.host.admin().rollback("svc", "test");
        assertEquals(new DeployRecord(back.seq(), back.at(), "ROLLBACK", "svc", "1.0.1", "1.0.2", "test", Outcome.ACTIVE,
                "rolled back by test", back.durationMs()), back);
        assertEquals("1.0.1", fx.version("svc"));
        assertEquals(back, fx.host.admin().history().getLast());
        assertNull(fx.host.admin().rollback("svc", "test"), "exactly one previous version is kept; a rollback uses it up");

        fx.close();
        fx = new HostFixture(dir);
        assertEquals("1.0.1", fx.version("svc"), "the deploy folder holds the version rolled back to");
        assertNull(fx.host.admin().rollback("svc", "test"), "a restarted host keeps no previous version");
    }

    @Test
    void anUndeployForgetsThePreviousVersion() throws Exception {
        fx.deploy(HostFixture.versionCage("svc", "1.0.0"));
        fx.deploy(HostFixture.versionCage("svc", "1.0.1"));
        assertTrue(fx.host.admin().undeploy("svc", "test").succeeded());
        assertNull(fx.host.admin().rollback("svc", "test"));
    }

    @Test
    void aDeployDuringTheWatchEndsItUnjudgedAndIsNotRolledBack() throws Exception {
        fx.deploy(HostFixture.versionCage("svc", "1.0.0"));
        java.util.concurrent.CompletableFuture<Rollout> guarded = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> fx.host.admin().deployGuarded(HostFixture.versionCage("svc", "1.0.1"), "test", WatchRule.watching(30_000)));
        io.cages.host.testing.Await.until("the guarded deploy is watching", java.time.Duration.ofSeconds(10),
                () -> !fx.host.admin().rollouts().isEmpty() && fx.host.admin().rollouts().getLast().state() == Rollout.State.WATCHING);
        fx.deploy(HostFixture.versionCage("svc", "1.0.2"));
        Rollout r = guarded.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(Rollout.State.REPLACED, r.state());
        assertEquals("not judged: version 1.0.2 replaced it during its watch", r.reason());
        assertEquals("1.0.2", fx.version("svc"));
    }

    @Test
    void aGuardedDeployOfAnIdleCageIsJudgedOnItsSelfTestOnly() {
        fx.deploy(HostFixture.versionCage("svc", "1.0.0"));
        Rollout r = fx.host.admin().deployGuarded(HostFixture.versionCage("svc", "1.0.1"), "test", WatchRule.watching(300));
        assertEquals(Rollout.State.PASSED, r.state());
        assertEquals("passed: 0 requests in 0.3 s, under the minimum of 20 to judge on; judged on its self-test only", r.reason());
        assertEquals(List.of(r), fx.host.admin().rollouts());

        Rollout broken = fx.host.admin().deployGuarded(io.cages.host.testing.TestCages.withHeader(
                HostFixture.versionCage("svc", "1.0.2"), "Cage-Handler", "nope.Missing"), "test", WatchRule.watching(300));
        assertEquals(Rollout.State.FAILED, broken.state());
        assertTrue(broken.reason().startsWith("deploy failed: "), broken.reason());
        assertEquals("1.0.1", fx.host.admin().cages().getFirst().activeVersion());
    }
}
