package io.cages.host;

import io.cages.api.CageException;
import io.cages.api.Deadline;
import io.cages.host.testing.TestCages;
import io.cages.testcages.VersionCage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import io.cages.host.spi.Transport;
import io.cages.host.spi.Dispatcher;
import io.cages.host.spi.InboundRequest;
import io.cages.host.spi.Reply;
import io.cages.host.admin.DeployRecord;

/** A real host (real Felix; no transports unless given) in a temp folder, with helpers to call it in-process. */
final class HostFixture implements AutoCloseable {

    final Host host;

    HostFixture(Path dir) throws Exception {
        this(HostConfig.defaults().withWorkDir(dir.resolve("work")).withCageConfigDir(dir.resolve("configs")));
    }

    HostFixture(HostConfig config) throws Exception {
        this(config, List.of());
    }

    HostFixture(HostConfig config, List<Transport> transports) throws Exception {
        host = Host.start(config, transports);
    }

    static byte[] versionCage(String name, String version) {
        return TestCages.build(name, version, VersionCage.class);
    }

    DeployRecord deploy(byte[] jar) {
        return host.admin().deploy(jar, "test");
    }

    CompletableFuture<Reply> call(String cage, String operation, Map<String, Object> params, Deadline deadline) {
        Dispatcher d = host.dispatcher();
        return d.dispatch(new InboundRequest(d.newRequestId(), cage, operation, params, null, null, null, "test", deadline));
    }

    Reply callOk(String cage, String operation, Map<String, Object> params) throws Exception {
        return call(cage, operation, params, null).get(10, TimeUnit.SECONDS);
    }

    /** Answers the version field of the cage's reply. */
    String version(String cage) throws Exception {
        return callOk(cage, "version", Map.of()).value().get("version").asText();
    }

    /** The CageException a call failed with. */
    static CageException failureOf(CompletableFuture<Reply> call) throws InterruptedException, TimeoutException {
        try {
            Reply reply = call.get(10, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure, got " + reply);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CageException c) {
                return c;
            }
            throw new AssertionError("expected a CageException", e.getCause());
        }
    }

    @Override
    public void close() {
        host.close();
    }
}
