package io.cages.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cages.cagectl.CageCtl;
import io.cages.host.HostConfig;
import io.cages.host.testing.TestCages;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** cagectl against a real host: deploy, update, a refused update, list, history, undeploy. */
class CageCtlEndToEndTest {

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
    }

    private static Run cagectl(RunningHost running, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String admin = "http://127.0.0.1:" + running.http.adminPort();
        int exit = new CageCtl(Map.of("CAGES_ADMIN", admin), new PrintWriter(out, true), new PrintWriter(err, true), ZoneOffset.UTC)
                .execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void deployUpdateRefuseListHistoryUndeploy() throws Exception {
        Path v100 = Files.write(dir.resolve("hello-1.0.0.jar"), RunningHost.example("hello"));
        Path v101 = Files.write(dir.resolve("hello-1.0.1.jar"), TestCages.withHeader(RunningHost.example("hello"), "Bundle-Version", "1.0.1"));
        Path broken = Files.write(dir.resolve("hello-2.0.0.jar"), TestCages.withHeader(
                TestCages.withHeader(RunningHost.example("hello"), "Bundle-Version", "2.0.0"), "Cage-Handler", "nope.Missing"));
        try (RunningHost running = new RunningHost(RunningHost.configIn(dir))) {
            Run deployed = cagectl(running, "deploy", v100.toString());
            assertEquals(0, deployed.exit(), deployed.err());
            assertTrue(deployed.out().contains("deployed hello 1.0.0"), deployed.out());

            Run updated = cagectl(running, "deploy", v101.toString());
            assertEquals(0, updated.exit(), updated.err());
            assertTrue(updated.out().contains("1.0.1") && updated.out().contains("was 1.0.0"), updated.out());

            Run refused = cagectl(running, "deploy", broken.toString());
            assertEquals(1, refused.exit());
            assertTrue(refused.err().contains("FAILED") && refused.err().contains("cannot be loaded") && refused.err().contains("1.0.1"), refused.err());
            assertEquals("1.0.1", running.get("/hello/greet").headers().firstValue("X-Cage-Version").orElseThrow());

            Run list = cagectl(running, "list");
            assertEquals(0, list.exit());
            assertTrue(list.out().contains("hello") && list.out().contains("1.0.1"), list.out());

            Run history = cagectl(running, "history");
            assertTrue(history.out().contains("FAILED") && history.out().contains("UPDATE"), history.out());

            Run undeployed = cagectl(running, "undeploy", "hello");
            assertEquals(0, undeployed.exit(), undeployed.err());
            assertEquals(404, running.get("/hello/greet").statusCode());
            assertEquals(1, cagectl(running, "undeploy", "hello").exit(), "undeploying it again fails clearly");
        }
    }

    @Test
    void aHostWithAnAdminTokenServesCagectlOnlyWithIt() throws Exception {
        HostConfig config = RunningHost.configIn(dir);
        config = config.withHttp(config.http().withAdmin("127.0.0.1", "e2e-token"));
        try (RunningHost running = new RunningHost(config)) {
            Run without = cagectl(running, "list");
            assertEquals(1, without.exit());
            assertTrue(without.err().contains("HTTP 401 unauthorized") && without.err().contains("--token"), without.err());

            Run wrong = cagectl(running, "--token", "not-it", "list");
            assertEquals(1, wrong.exit());
            assertTrue(wrong.err().contains("HTTP 401 unauthorized"), wrong.err());

            Run with = cagectl(running, "--token", "e2e-token", "list");
            assertEquals(0, with.exit(), with.err());

            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int fromEnv = new CageCtl(Map.of("CAGES_ADMIN", "http://127.0.0.1:" + running.http.adminPort(), "CAGES_ADMIN_TOKEN", "e2e-token"),
                    new PrintWriter(out, true), new PrintWriter(err, true), ZoneOffset.UTC).execute("list");
            assertEquals(0, fromEnv, err::toString);
        }
    }
}
