package io.cages.host;

import io.cages.host.spi.SettingsException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Command line entry point: {@code cages-host --config configs/host.json}. */
@Command(name = "cages-host", mixinStandardHelpOptions = true, description = "Runs a cage host until it is stopped (SIGTERM or Ctrl-C shut it down cleanly).")
public final class Main implements Callable<Integer> {

    @Option(names = "--config", description = "host config file (default: ${DEFAULT-VALUE})", defaultValue = "configs/host.json")
    Path config;

    @Option(names = "--deploy-dir", description = "overrides deployDir from the config")
    Path deployDir;

    @Option(names = "--work-dir", description = "overrides workDir from the config")
    Path workDir;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        HostConfig hostConfig;
        try {
            hostConfig = HostConfig.load(config);
        } catch (IllegalArgumentException e) {
            System.err.println("cages-host: invalid config: " + e.getMessage());
            return 2;
        }
        if (workDir != null) {
            hostConfig = hostConfig.withWorkDir(workDir).withDeployDir(deployDir != null ? deployDir : hostConfig.deployDir());
        } else if (deployDir != null) {
            hostConfig = hostConfig.withDeployDir(deployDir);
        }
        Host host;
        try {
            host = Host.start(hostConfig);
        } catch (Exception e) {
            // A port in use, an unreadable folder, a bad transport section: one line, not a stack trace. A
            // transport reads its section of this file only now, so its error is told which file it was in.
            String reason = e instanceof SettingsException bad ? bad.in(config).getMessage() : e.getMessage();
            System.err.println("cages-host: cannot start: " + reason);
            org.slf4j.LoggerFactory.getLogger(Main.class).debug("start failed", e);
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            host.close();
            stopped.countDown();
        }, "cages-shutdown"));
        stopped.await();
        return 0;
    }
}
