package io.cages.resources.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * DriverManager finds its drivers once, with the context class loader of its first caller. Each case runs in a
 * fresh JVM (this one's DriverManager was initialized long ago): the first use comes from a thread whose context
 * class loader sees no driver, as a cage's request thread does when it opens the host's own H2 database lazily.
 */
class JdbcDriversTest {

    @Test
    void aFirstConnectionFromAThreadThatSeesNoDriverFailsForEverWithoutTheHostsRegistration() throws Exception {
        assertEquals("No suitable driver found for jdbc:h2:mem:drivers", runChild("unregistered"));
    }

    @Test
    void afterTheHostRegisteredTheDriversAFirstConnectionFromSuchAThreadOpens() throws Exception {
        assertEquals("connected", runChild("registered"));
    }

    private static String runChild(String mode) throws Exception {
        Process child = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), Child.class.getName(), mode)
                .redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!child.waitFor(60, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            throw new AssertionError("the child JVM did not finish: " + out);
        }
        List<String> lines = out.lines().toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    /** The child JVM: optionally the host's registration, then a first connection under a driverless context loader. */
    static final class Child {
        public static void main(String[] args) {
            if (args[0].equals("registered")) {
                JdbcDrivers.register();
                JdbcDrivers.awaitRegistered();
            }
            Thread.currentThread().setContextClassLoader(new URLClassLoader(new URL[0], null)); // like a cage bundle's
            try (Connection c = DriverManager.getConnection("jdbc:h2:mem:drivers")) {
                System.out.println("connected");
            } catch (SQLException e) {
                System.out.println(e.getMessage());
            }
        }
    }
}
