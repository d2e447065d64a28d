package io.cages.host;

import io.cages.host.internal.HostLogging;
import io.cages.host.spi.SettingsException;
import java.io.PrintStream;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Command line entry point: {@code cages-host --config configs/host.json}.
 *
 * <p>Parses its three options by hand: picocli's classes are Java 5 bytecode, which the JVM's class-data
 * archives cannot hold, and loading them from the jar at every start cost more than the rest of the launch.
 */
public final class Main {

    static final String USAGE = """
            Usage: cages-host [-hV] [--config=FILE] [--deploy-dir=DIR] [--work-dir=DIR]
            Runs a cage host until it is stopped (SIGTERM or Ctrl-C shut it down cleanly).
                  --config=FILE      host config file (default: configs/host.json)
                  --deploy-dir=DIR   overrides deployDir from the config
                  --work-dir=DIR     overrides workDir from the config
              -h, --help             Show this help message and exit.
              -V, --version          Print version information and exit.""";

    Path config = Path.of("configs", "host.json");
    Path deployDir;
    Path workDir;

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Parses {@code args} and runs the host; returns the exit code: 0 stopped cleanly, 1 cannot start, 2 usage. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Main main = new Main();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "-h", "--help" -> {
                    out.println(USAGE);
                    return 0;
                }
                case "-V", "--version" -> {
                    String version = Main.class.getPackage().getImplementationVersion();
                    out.println("cages-host " + (version == null ? "(development build)" : version));
                    return 0;
                }
                default -> { }
            }
            int eq = arg.indexOf('=');
            String name = arg.startsWith("--") && eq > 0 ? arg.substring(0, eq) : arg;
            if (!name.equals("--config") && !name.equals("--deploy-dir") && !name.equals("--work-dir")) {
                return usageError(err, arg.startsWith("-") ? "Unknown option: '" + arg + "'"
                        : "Unmatched argument: '" + arg + "'");
            }
            String value;
            if (eq > 0 && arg.startsWith("--")) {
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                return usageError(err, "Missing required parameter for option '" + name + "'");
            }
            Path path;
            try {
                path = Path.of(value);
            } catch (InvalidPathException e) {
                return usageError(err, "Invalid value for option '" + name + "': " + e.getMessage());
            }
            switch (name) {
                case "--config" -> main.config = path;
                case "--deploy-dir" -> main.deployDir = path;
                default -> main.workDir = path;
            }
        }
        try {
            return main.call();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private static int usageError(PrintStream err, String message) {
        err.println(message);
        err.println(USAGE);
        return 2;
    }

    int call() throws InterruptedException {
        // Logging's configuration (logback parsing its XML, opening its files) and reading the config (Jackson's
        // first mapper, locale data) are each ~0.2 s of a start and independent: run them side by side. Nothing
        // logs before the join, so no call meets a half-configured logging (SLF4J would queue and replay it).
        // Without a logback XML given, logging is configured in code (HostLogging): Joran's XML reading was the
        // slower of the two by far.
        HostLogging.useForThisProcess();
        Thread logging = new Thread(org.slf4j.LoggerFactory::getILoggerFactory, "cages-logging-setup");
        logging.start();
        HostConfig hostConfig;
        try {
            hostConfig = HostConfig.load(config);
        } catch (IllegalArgumentException e) {
            System.err.println("cages-host: invalid config: " + e.getMessage());
            return 2;
        } finally {
            logging.join();
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
