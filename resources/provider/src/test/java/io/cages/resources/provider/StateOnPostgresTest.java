package io.cages.resources.provider;

import static io.cages.resources.provider.CageStateTest.call;
import static io.cages.resources.provider.CageStateTest.deploy;
import static io.cages.resources.provider.CageStateTest.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cages.api.CageException;
import io.cages.api.ErrorCode;
import io.cages.host.Host;
import io.cages.host.HostConfig;
import io.cages.host.testing.TestCages;
import io.cages.resources.jdbc.PostgresServer;
import io.cages.testcages.state.StateCage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two hosts keep one cage's state in one PostgreSQL ({@code "state": {"database": "main"}}): they see the same
 * documents, and the fence holds across them, in the database: once a host makes 1.0.1 active, the other host's
 * still active 1.0.0 may read but not write, until that host switches to 1.0.1 too (which joins the epoch).
 */
class StateOnPostgresTest {

    @RegisterExtension
    static final PostgresServer PG = new PostgresServer();

    @TempDir
    Path dir;

    @Test
    void twoHostsShareTheStateAndTheFence() throws Exception {
        try (Connection c = DriverManager.getConnection(PG.jdbcUrl(), PG.user(), PG.password()); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS cage_state");
            s.execute("DROP TABLE IF EXISTS cage_state_epoch");
        }
        Path file = dir.resolve("resources.json");
        Files.writeString(file, """
                {"resources": {"main": {"kind": "jdbc", "url": "%s", "username": "%s", "password": "%s", "maxPoolSize": 4}},
                 "state": {"database": "main"}}
                """.formatted(PG.jdbcUrl(), PG.user(), PG.password()));
        byte[] v1 = TestCages.build("state", "1.0.0", StateCage.class);
        byte[] v2 = TestCages.build("state", "1.0.1", StateCage.class);
        try (Host a = Host.start(config("a", file), List.of()); Host b = Host.start(config("b", file), List.of())) {
            deploy(a, v1);
            deploy(b, v1); // the same version joins the epoch
            assertEquals(1, call(a.dispatcher(), "inc", Map.of()).path("value").asLong());
            assertEquals(2, call(b.dispatcher(), "inc", Map.of()).path("value").asLong());

            deploy(a, v2);
            assertEquals(3, call(a.dispatcher(), "inc", Map.of()).path("value").asLong());
            CageException refused = failure(b.dispatcher(), "inc", Map.of());
            assertEquals(ErrorCode.UNAVAILABLE, refused.code());
            assertEquals("cage 'state' version 1.0.0 may not write its state: version 1.0.1 holds the state epoch (2; this version"
                    + " held 1). A replaced version may write only from requests it admitted before the switch, until it is retired",
                    refused.getMessage());
            assertEquals(3, call(b.dispatcher(), "get", Map.of()).path("fields").path("n").asLong(), "reads are not fenced");

            deploy(b, v2);
            assertEquals(4, call(b.dispatcher(), "inc", Map.of()).path("value").asLong());
            assertEquals("2 1.0.1", epochRow());
        }
    }

    private HostConfig config(String name, Path resources) {
        return HostConfig.defaults().withName(name).withWorkDir(dir.resolve(name))
                .withCageConfigDir(dir.resolve(name + "-configs")).withResourcesFile(resources);
    }

    private static String epochRow() throws Exception {
        try (Connection c = DriverManager.getConnection(PG.jdbcUrl(), PG.user(), PG.password()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT epoch, version FROM cage_state_epoch WHERE cage = 'state'")) {
            rs.next();
            return rs.getLong(1) + " " + rs.getString(2);
        }
    }
}
