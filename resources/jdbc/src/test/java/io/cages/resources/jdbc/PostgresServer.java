package io.cages.resources.jdbc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A throw-away PostgreSQL server per test class, started by tools/pg/pg-test-server (which installs Debian's
 * PostgreSQL if needed). Use as {@code @RegisterExtension static PostgresServer PG = new PostgresServer();}.
 * The folder under {@code target/pg} is only the script's handle: the server's data and socket live in a short
 * private folder under the system temp dir, so neither the clone's path length nor its permissions matter.
 */
public final class PostgresServer implements BeforeAllCallback, AfterAllCallback {

    private final String database = "cages_test";
    private Path dir;
    private int port;
    private String password;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Path work = Path.of(System.getProperty("cages.pg.work", "target/pg"));
        Files.createDirectories(work);
        dir = Files.createTempDirectory(work, context.getRequiredTestClass().getSimpleName() + "-");
        String out = run("start");
        for (String line : out.split("\n")) {
            if (line.startsWith("PGPORT=")) {
                port = Integer.parseInt(line.substring(7).trim());
            } else if (line.startsWith("PGPASSWORD=")) {
                password = line.substring(11).trim();
            }
        }
        if (port == 0) {
            throw new IllegalStateException("pg-test-server printed no PGPORT: " + out);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopQuietly));
        try (Connection c = DriverManager.getConnection(url("postgres"), "postgres", password);
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stopQuietly();
    }

    public String jdbcUrl() {
        return url(database);
    }

    public String user() {
        return "postgres";
    }

    public String password() {
        return password;
    }

    /** Fast restart on the same port: every open connection is dropped. */
    public void restart() throws IOException, InterruptedException {
        run("restart");
    }

    private String url(String db) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + db;
    }

    private void stopQuietly() {
        if (dir != null) {
            try {
                run("stop");
            } catch (Exception ignored) {
                // best effort at shutdown
            }
        }
    }

    private String run(String command) throws IOException, InterruptedException {
        String script = System.getProperty("cages.pg.script", "../../tools/pg/pg-test-server");
        Process p = new ProcessBuilder(script, command, dir.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        // Generous: a first run may apt-get install PostgreSQL.
        if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("pg-test-server " + command + " failed: " + out);
        }
        return out;
    }
}
