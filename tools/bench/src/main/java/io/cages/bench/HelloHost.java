package io.cages.bench;

import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.transport.http.HttpTransport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The host the HTTP benchmarks measure: HTTP on an ephemeral port, the hello cage, no databases or broker. */
final class HelloHost {

    private HelloHost() {
    }

    /** Starts a host serving {@code helloJar} through {@code http}, its state in a new temporary folder. */
    static Host start(Path helloJar, HttpTransport http, boolean metrics) throws Exception {
        Path work = Files.createTempDirectory("cages-bench");
        HostConfig config = HostConfig.defaults().withWorkDir(work).withCageConfigDir(work.resolve("configs"))
                .withHttp(HostConfig.Http.ephemeral())
                // The default resources file is configs/resources.json under the working directory (the repo root
                // here, whose demo file names databases and a broker): these hosts measure HTTP alone, so none.
                .withResourcesFile(work.resolve("no-resources.json"))
                .withMetrics(new HostConfig.Metrics(metrics));
        Host host = Host.start(config, List.of(http));
        try {
            if (!host.admin().deploy(Files.readAllBytes(helloJar), "bench").succeeded()) {
                throw new IllegalStateException("hello did not deploy: " + host.admin().history());
            }
            return host;
        } catch (Exception | Error e) {
            host.close();
            throw e;
        }
    }
}
