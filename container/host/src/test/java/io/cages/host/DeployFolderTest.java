package io.cages.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.host.admin.DeployRecord.Outcome;
import io.cages.host.testing.Await;
import io.cages.host.testing.TestCages;
import io.cages.testcages.failstart.FailingStartCage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.cages.host.admin.CageInfo;

/** Dropping, replacing and deleting jars in the deploy folder deploys, updates and undeploys. */
class DeployFolderTest {

    @TempDir
    Path dir;
    HostFixture fx;
    Path deploy;

    @BeforeEach
    void start() throws Exception {
        fx = new HostFixture(dir);
        deploy = fx.host.deployDir();
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    private void drop(String file, byte[] jar) throws Exception {
        Path tmp = dir.resolve(file + ".part");
        Files.write(tmp, jar);
        Files.move(tmp, deploy.resolve(file), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private String activeVersion() {
        return fx.host.admin().cages().stream().filter(c -> c.name().equals("svc")).findFirst()
                .map(CageInfo::activeVersion).orElse(null);
    }

    @Test
    void dropReplaceDelete() throws Exception {
        drop("svc.jar", HostFixture.versionCage("svc", "1.0.0"));
        Await.until("svc 1.0.0 deployed", Duration.ofSeconds(10), () -> "1.0.0".equals(activeVersion()));
        assertEquals("1.0.0", fx.version("svc"));

        drop("svc.jar", HostFixture.versionCage("svc", "1.0.1"));
        Await.until("svc 1.0.1 active", Duration.ofSeconds(10), () -> "1.0.1".equals(activeVersion()));

        drop("svc.jar", TestCages.build("svc", "2.0.0", FailingStartCage.class));
        Await.until("the failed update is recorded", Duration.ofSeconds(10), () -> fx.host.admin().history().stream()
                .anyMatch(r -> r.outcome() == Outcome.FAILED && "2.0.0".equals(r.version())));
        assertEquals("1.0.1", fx.version("svc"), "a bad jar in the folder leaves the running version alone");

        Files.delete(deploy.resolve("svc.jar"));
        Await.until("svc undeployed", Duration.ofSeconds(10), () -> fx.host.admin().cages().isEmpty());
        assertEquals(0, fx.host.installedBundles());
    }

    @Test
    void adminDeploysAreKeptInTheFolderForTheNextStart() throws Exception {
        assertEquals(Outcome.ACTIVE, fx.deploy(HostFixture.versionCage("svc", "1.0.0")).outcome());
        assertTrue(Files.exists(deploy.resolve("svc.jar")));
        fx.close();

        fx = new HostFixture(dir);
        assertEquals("1.0.0", fx.version("svc"), "a restarted host runs what the folder holds");

        assertEquals(Outcome.UNDEPLOYED, fx.host.admin().undeploy("svc", "test").outcome());
        assertTrue(Files.notExists(deploy.resolve("svc.jar")), "undeploy removes the jar so a restart does not bring it back");
    }

    @Test
    void aPollDuringAnAdminDeployNeverTakesTheStoredJarForADeletion() throws Exception {
        // A poll lists the folder, then decides: a jar an admin deploy stored in between (a new file: the cage
        // had none) must not look deleted to it. Polling every millisecond while deploying and undeploying gives
        // the poll many chances to fall in there.
        fx.close();
        fx = new HostFixture(HostConfig.defaults().withWorkDir(dir.resolve("work")).withCageConfigDir(dir.resolve("configs")).withPollMs(1));
        byte[] jar = HostFixture.versionCage("svc", "1.0.0");
        for (int i = 1; i <= 150; i++) {
            assertEquals(Outcome.ACTIVE, fx.deploy(jar).outcome(), "deploy " + i);
            var undeployed = fx.host.admin().undeploy("svc", "test");
            assertEquals(Outcome.UNDEPLOYED, undeployed.outcome(), "round " + i + ": the cage was still there to undeploy: " + undeployed);
        }
        assertTrue(fx.host.admin().history().stream().noneMatch(r -> r.origin().startsWith("folder:")),
                "the folder undeployed or redeployed nothing on its own: " + fx.host.admin().history());
    }
}
